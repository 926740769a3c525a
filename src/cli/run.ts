/** The `tunesmith` dispatcher: picks the subcommand, runs it, turns errors into exit code 2. */
import { EXIT, UsageError, type Command, type CommandIO } from './command.ts';
import { diffCommand } from './commands/diff.ts';
import { fixCommand } from './commands/fix.ts';
import { lintCommand } from './commands/lint.ts';
import { splitCommand } from './commands/split.ts';
import { statsCommand } from './commands/stats.ts';
import { StatsProblem } from '../core/stats/stats.ts';
import { VERSION } from './version.ts';

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  lint: { run: lintCommand, summary: 'lint JSONL files and directories' },
  stats: {
    run: statsCommand,
    summary: 'examples, formats, roles, tokens, duplicates, PII and labels of a file',
  },
  fix: { run: fixCommand, summary: 'apply the mechanical fixes to a file' },
  split: { run: splitCommand, summary: 'split a file into train and validation sets without leakage' },
  diff: { run: diffCommand, summary: 'examples added, removed and changed between two versions, and drift' },
};

const USAGE = `Usage: tunesmith COMMAND [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(8)}${summary}`)
  .join('\n')}

Run \`tunesmith COMMAND --help\` for a command's options.
Exit codes: 0 clean, 1 findings at error severity (or over --max-warnings), 2 usage or I/O error.
`;

/** Runs one command line; never throws, never exits the process. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? EXIT.usage : EXIT.clean;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return EXIT.clean;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`tunesmith: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // The core's statistics say what is wrong with the file or the tokenizer: meant for the user too.
    if (error instanceof UsageError || error instanceof StatsProblem)
      io.stderr(`tunesmith: ${error.message}\n`);
    else {
      const detail = process.env['TUNESMITH_DEBUG'] && error instanceof Error ? `\n${error.stack}` : '';
      io.stderr(
        `tunesmith: internal error: ${error instanceof Error ? error.message : String(error)}${detail}\n`,
      );
    }
    return EXIT.usage;
  }
}
