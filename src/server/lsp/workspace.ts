/**
 * The workspace as the server knows it: its folders, what the client can do, and the resolved
 * configuration of each resource. Settings are pulled per resource and cached by URI (after
 * lsp-sample), never held in globals; `clearConfigs` drops the cache when settings or a
 * `tunesmith.json` change.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection, InitializeParams } from 'vscode-languageserver';
import { CONFIG_FILE, resolveConfig, type ResolvedConfig } from '../../core/engine/config.ts';
import { isExcluded, matchesAnyGlob, matchesDirectory } from '../../core/io/glob.ts';
import { type InitializationOptions, SETTINGS_SECTION } from '../../shared/protocol.ts';
import { mergeSettings } from '../../shared/settings.ts';

/** Directories never worth walking for datasets, whatever the settings say. */
const NEVER_WALK = new Set(['node_modules', '.git', '.hg', '.svn']);

export class Workspace {
  private readonly folderUris: string[] = [];
  private readonly configs = new Map<string, Promise<ResolvedConfig>>();
  private canPullConfiguration = false;
  /** Files from this size up get a `LargeFileNotification` when linted from disk. */
  largeFileBytes = 50 * 1024 * 1024;

  constructor(private readonly connection: Connection) {}

  /** Takes the folders, the client's capabilities and the initialization options. */
  initialize(params: InitializeParams): void {
    this.canPullConfiguration = params.capabilities.workspace?.configuration === true;
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof options.largeFileBytes === 'number') this.largeFileBytes = options.largeFileBytes;
    for (const folder of params.workspaceFolders ?? []) this.folderUris.push(folder.uri);
    if (this.folderUris.length === 0 && params.rootUri) this.folderUris.push(params.rootUri);
  }

  get folders(): readonly string[] {
    return this.folderUris;
  }

  /** The configuration `split/leakage` uses: the first folder's. */
  leakageConfig(): Promise<ResolvedConfig> {
    return this.configFor(this.folderUris[0] ?? 'file:///');
  }

  configFor(uri: string): Promise<ResolvedConfig> {
    let config = this.configs.get(uri);
    if (!config) {
      config = (async () => {
        const settings: unknown = this.canPullConfiguration
          ? await this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
          : undefined;
        const file = await this.readConfigFile(uri);
        const { config: resolved, problems } = resolveConfig(mergeSettings(file, settings));
        for (const problem of problems) this.connection.console.warn(`Configuration: ${problem}`);
        return resolved;
      })();
      this.configs.set(uri, config);
    }
    return config;
  }

  /** Settings or a tunesmith.json changed: the next `configFor` of each resource resolves again. */
  clearConfigs(): void {
    this.configs.clear();
  }

  /** Whether `uri` is a dataset of a workspace folder: under it, included and not excluded. */
  async contains(uri: string): Promise<boolean> {
    if (!uri.startsWith('file:')) return false;
    const path = fileURLToPath(uri);
    for (const folderUri of this.folderUris) {
      const rel = relative(fileURLToPath(folderUri), path).split(sep).join('/');
      if (rel.startsWith('..')) continue;
      const { include, exclude } = await this.globs(folderUri);
      return matchesAnyGlob(rel, include) && !isExcluded(rel, exclude);
    }
    return false;
  }

  /** Every dataset of every folder, as URIs. */
  async datasetFiles(): Promise<string[]> {
    return (await Promise.all(this.folderUris.map((folder) => this.datasetFilesOf(folder)))).flat();
  }

  private async datasetFilesOf(folderUri: string): Promise<string[]> {
    const root = fileURLToPath(folderUri);
    const { include, exclude } = await this.globs(folderUri);
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable directories are not datasets
      }
      for (const entry of entries) {
        const path = `${dir}/${entry.name}`;
        const rel = relative(root, path).split(sep).join('/');
        if (entry.isDirectory()) {
          if (!NEVER_WALK.has(entry.name) && !matchesDirectory(rel, exclude)) await walk(path);
        } else if (entry.isFile() && matchesAnyGlob(rel, include) && !matchesAnyGlob(rel, exclude)) {
          found.push(pathToFileURL(path).href);
        }
      }
    };
    await walk(root);
    return found;
  }

  /** The folder's dataset globs: the configuration's, with the editor's `files.exclude` added. */
  private async globs(
    folderUri: string,
  ): Promise<{ include: readonly string[]; exclude: readonly string[] }> {
    const config = await this.configFor(folderUri);
    const filesExclude: unknown = this.canPullConfiguration
      ? await this.connection.workspace.getConfiguration({ scopeUri: folderUri, section: 'files.exclude' })
      : undefined;
    const excluded = Object.entries(
      typeof filesExclude === 'object' && filesExclude !== null ? filesExclude : {},
    ).flatMap(([glob, on]) => (on === true ? [glob] : []));
    return {
      include: config.files.include,
      exclude: [...config.files.exclude, ...excluded],
    };
  }

  /** The `tunesmith.json` at the root of the workspace folder holding `uri` (the CLI reads it from its cwd). */
  private async readConfigFile(uri: string): Promise<unknown> {
    const folder =
      this.folderUris.find((f) => uri === f || uri.startsWith(f.endsWith('/') ? f : f + '/')) ??
      this.folderUris[0];
    if (!folder?.startsWith('file:')) return undefined;
    const path = join(fileURLToPath(folder), CONFIG_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined; // no file: the defaults and settings apply
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      this.connection.console.warn(`${path} is not valid JSON (${String(error)}); it is ignored`);
      return undefined;
    }
  }
}
