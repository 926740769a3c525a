import { structureCheckers } from '../../../src/core/rules/structure/index.ts';
import { runRuleTests } from '../rule-tester.ts';

const m = (role: string, content: unknown, extra = '') =>
  `{"role": ${JSON.stringify(role)}, "content": ${JSON.stringify(content)}${extra}}`;
const chat = (...messages: string[]) => `{"messages": [${messages.join(', ')}]}`;
const user = m('user', 'What is the capital of France?');
const assistant = m('assistant', 'Paris.');
const toolCall =
  '{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]}';
const toolResult = '{"role": "tool", "tool_call_id": "c1", "content": {"temp": 21}}';

runRuleTests('structure', structureCheckers, {
  valid: [
    {
      name: 'preference pairs as TRL reads them: standard, and conversational with assistant answers',
      lines: [
        '{"prompt": "2+2?", "chosen": "4", "rejected": "5"}',
        `{"prompt": [${user}], "chosen": [${assistant}], "rejected": [${m('assistant', 'Lyon.')}]}`,
        // TRL's implicit prompt: the answers' shared start.
        `{"chosen": [${user}, ${assistant}], "rejected": [${user}, ${m('assistant', 'Lyon.')}]}`,
        // LLaMA-Factory's ranking data (dpo_en_demo): no "no assistant turn" on its conversation.
        '{"conversations": [{"from": "human", "value": "Capital of France?"}], "chosen": {"from": "gpt", "value": "Paris."}, "rejected": {"from": "gpt", "value": "Lyon."}}',
      ],
    },
    { name: 'system, user, assistant', lines: [chat(m('system', 'Be brief.'), user, assistant)] },
    {
      name: 'tool call without content, tool result with object content (cookbook false positive)',
      lines: [chat(user, toolCall, toolResult, m('assistant', 'It is 21°C.'))],
    },
    {
      name: 'assistant content null beside tool_calls',
      lines: [
        chat(
          user,
          toolCall.replace('"role": "assistant"', '"role": "assistant", "content": null'),
          toolResult,
          assistant,
        ),
      ],
    },
    {
      name: 'multi-part text content',
      lines: [
        chat(
          m('user', [
            { type: 'text', text: 'Describe' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ]),
          assistant,
        ),
      ],
    },
    {
      name: 'weight and name keys',
      lines: [
        chat(
          m('user', 'hi', ', "name": "bob"'),
          m('assistant', 'hey', ', "weight": 0'),
          m('user', 'again'),
          m('assistant', 'hello', ', "weight": 1'),
        ),
      ],
    },
    {
      name: 'ShareGPT with function_call and observation turns',
      lines: [
        '{"conversations": [{"from": "human", "value": "Weather?"}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "21"}, {"from": "gpt", "value": "21°C"}], "system": "S"}',
      ],
    },
    {
      name: 'other formats are not structure-checked',
      lines: ['{"instruction": "", "output": ""}', '{"text": ""}'],
    },
    {
      name: 'roles allowed by configuration',
      lines: [chat(m('user', 'a'), m('bot', 'b'))],
      config: { chat: { allowedRoles: ['user', 'bot'] } },
    },
    {
      name: 'misspelled keys are left to format/misspelled-key',
      lines: [chat(m('user', 'a'), '{"Role": "assistant", "contnet": "b"}')],
    },
  ],
  invalid: [
    {
      name: 'preference pairs in mixed shapes, or with a user turn among the answers',
      lines: [
        `{"prompt": [${user}], "chosen": "Paris.", "rejected": "Lyon."}`,
        `{"prompt": "2+2?", "chosen": "4", "rejected": [${m('assistant', '5')}]}`,
        '{"prompt": "2+2?", "chosen": {"text": "4"}, "rejected": "5"}',
        `{"prompt": [${user}], "chosen": [${assistant}], "rejected": [${m('user', 'Lyon?')}]}`,
        '{"conversations": [{"from": "human", "value": "Capital?"}], "chosen": {"from": "gpt", "value": "Paris."}, "rejected": "Lyon."}',
        '{"conversations": [{"from": "human", "value": "Capital?"}], "chosen": {"from": "human", "value": "Paris?"}, "rejected": {"from": "gpt", "value": "Lyon."}}',
      ],
      findings: [
        {
          code: 'structure/preference-shape',
          line: 0,
          message: '"prompt" is a message list but "chosen" is a string',
        },
        { code: 'structure/preference-shape', line: 1, message: '"rejected" is a message list' },
        { code: 'structure/preference-shape', line: 2, text: '{"text": "4"}' },
        { code: 'structure/preference-shape', line: 3, text: '"user"' },
        {
          code: 'structure/preference-shape',
          line: 4,
          text: '"Lyon."',
          message: 'one {"from", "value"} turn',
        },
        { code: 'structure/preference-shape', line: 5, text: '"human"' },
      ],
    },
    {
      name: 'preference pairs that train nothing: an empty answer, the same answer twice',
      lines: [
        '{"prompt": "2+2?", "chosen": "4", "rejected": "  "}',
        '{"prompt": "2+2?", "chosen": "4", "rejected": "4 "}',
        `{"prompt": [${user}], "chosen": [${assistant}], "rejected": [${assistant}]}`,
        '{"prompt": "2+2?", "chosen": "", "rejected": "5"}',
      ],
      findings: [
        { code: 'structure/preference-pair', line: 0, message: '"rejected" is empty' },
        { code: 'structure/preference-pair', line: 1, text: '"4 "', message: 'the same answer' },
        { code: 'structure/preference-pair', line: 2, message: 'the same answer' },
        { code: 'structure/preference-pair', line: 3, text: '""' },
      ],
    },
    {
      name: 'messages not an array, or empty',
      lines: ['{"messages": {"role": "user"}}', '{"conversations": []}'],
      findings: [
        { code: 'structure/missing-messages', line: 0, text: '{"role": "user"}', message: 'not an object' },
        { code: 'structure/missing-messages', line: 1, text: '[]', message: 'empty' },
      ],
    },
    {
      name: 'message without role, and a non-object message',
      lines: [chat('{"content": "a"}', '"hello"', assistant)],
      findings: [
        { code: 'structure/missing-role', line: 0, text: '{"content": "a"}' },
        { code: 'structure/missing-role', line: 0, text: '"hello"' },
      ],
    },
    {
      name: 'role that is not a string',
      lines: [chat('{"role": 1, "content": "a"}', assistant)],
      findings: [{ code: 'structure/missing-role', line: 0, text: '1', message: 'not a number' }],
    },
    {
      name: 'unknown roles with likely replacements',
      lines: [
        chat(m('User', 'a'), m('bot', 'b')),
        chat(m('System', 's'), m('human', 'a'), m('Assistant', 'b'), m('critic', 'c')),
      ],
      findings: [
        {
          code: 'structure/unknown-role',
          line: 0,
          text: '"User"',
          fixed: `${chat(m('user', 'a'), m('bot', 'b'))}\n${chat(m('System', 's'), m('human', 'a'), m('Assistant', 'b'), m('critic', 'c'))}\n`,
        },
        { code: 'structure/unknown-role', line: 0, text: '"bot"' },
        { code: 'structure/unknown-role', line: 1, text: '"System"', message: 'did you mean "system"' },
        { code: 'structure/unknown-role', line: 1, text: '"human"' },
        { code: 'structure/unknown-role', line: 1, text: '"Assistant"' },
        { code: 'structure/last-turn-not-assistant', line: 1, text: '"critic"' },
        { code: 'structure/unknown-role', line: 1, text: '"critic"' },
      ],
    },
    {
      name: 'ShareGPT role spelled the chat way is fixed to ShareGPT spelling',
      lines: ['{"conversations": [{"from": "Human", "value": "a"}, {"from": "bot", "value": "b"}]}'],
      findings: [
        {
          code: 'structure/unknown-role',
          line: 0,
          text: '"Human"',
          message: 'did you mean "human"',
          fixed: '{"conversations": [{"from": "human", "value": "a"}, {"from": "bot", "value": "b"}]}\n',
        },
        { code: 'structure/unknown-role', line: 0, text: '"bot"' },
      ],
    },
    {
      name: 'unknown message key',
      lines: [chat(m('user', 'a', ', "timestamp": 1'), assistant)],
      findings: [{ code: 'structure/unknown-message-key', line: 0, text: '"timestamp"' }],
    },
    {
      name: 'missing, non-string and empty content',
      lines: [chat(m('system', '  '), '{"role": "user"}', m('user', 5), m('assistant', null))],
      findings: [
        { code: 'structure/empty-content', line: 0, text: '"  "' },
        { code: 'structure/missing-content', line: 0, text: '{"role": "user"}' },
        { code: 'structure/repeated-role', line: 0, text: '"user"' },
        { code: 'structure/non-string-content', line: 0, text: '5' },
        { code: 'structure/non-string-content', line: 0, text: 'null' },
      ],
    },
    {
      name: 'bad content parts and all-empty parts',
      lines: [chat(m('user', [{ type: 'text', text: 1 }]), m('assistant', [{ type: 'text', text: ' ' }]))],
      findings: [
        { code: 'structure/non-string-content', line: 0, text: '{"type":"text","text":1}' },
        { code: 'structure/empty-content', line: 0, text: '[{"type":"text","text":" "}]' },
      ],
    },
    {
      name: 'each likely replacement',
      lines: [
        chat(user, m('bot', 'b')),
        chat(m('human', 'a'), assistant),
        chat(user, m('model', 'b')),
        chat(user, m('AI', 'b')),
      ],
      findings: [
        { code: 'structure/unknown-role', line: 0, message: 'did you mean "assistant"' },
        { code: 'structure/unknown-role', line: 1, message: 'did you mean "user"' },
        { code: 'structure/unknown-role', line: 2, message: 'did you mean "assistant"' },
        { code: 'structure/unknown-role', line: 3, message: 'did you mean "assistant"' },
      ],
    },
    {
      name: 'null content is allowed only beside tool calls',
      lines: [chat(user, m('assistant', null))],
      findings: [
        { code: 'structure/non-string-content', line: 0, text: 'null', message: 'only beside tool_calls' },
      ],
    },
    {
      name: 'unknown role with no likely replacement lists the allowed roles',
      lines: [chat(user, m('critic', 'c'), assistant)],
      findings: [
        { code: 'structure/unknown-role', line: 0, text: '"critic"', message: 'allowed roles: system' },
      ],
    },
    {
      name: 'no assistant turn',
      lines: [chat(m('system', 's'), user)],
      findings: [{ code: 'structure/no-assistant-turn', line: 0, text: '"messages"' }],
    },
    {
      name: 'every assistant turn with weight 0 (not trained, OpenAI semantics)',
      lines: [chat(user, m('assistant', 'a', ', "weight": 0'), user, m('assistant', 'b', ', "weight": 0'))],
      findings: [
        {
          code: 'structure/no-assistant-turn',
          line: 0,
          text: '"messages"',
          message: 'Every assistant turn has weight 0',
        },
      ],
    },
    {
      name: 'last turn from the user; system in the middle; repeated assistant',
      lines: [
        chat(
          user,
          assistant,
          m('system', 'late'),
          m('assistant', 'again'),
          m('assistant', 'and again'),
          user,
        ),
      ],
      findings: [
        { code: 'structure/system-not-first', line: 0, text: '"system"' },
        { code: 'structure/repeated-role', line: 0, text: '"assistant"', message: '(4 and 5)' },
        { code: 'structure/last-turn-not-assistant', line: 0, text: '"user"' },
      ],
    },
    {
      name: 'tool arguments that are not a JSON string',
      lines: [
        chat(
          user,
          toolCall.replace('"{\\"city\\": \\"Paris\\"}"', '"{city: Paris}"'),
          toolResult.replace('{"temp": 21}', '"21"'),
          assistant,
        ),
        chat(
          user,
          toolCall.replace('"{\\"city\\": \\"Paris\\"}"', '{"city": "Paris"}'),
          toolResult.replace('{"temp": 21}', '"21"'),
          assistant,
        ),
      ],
      findings: [
        { code: 'structure/invalid-tool-arguments', line: 0, text: '"{city: Paris}"' },
        {
          code: 'structure/invalid-tool-arguments',
          line: 1,
          text: '{"city": "Paris"}',
          fixed: `${chat(user, toolCall.replace('"{\\"city\\": \\"Paris\\"}"', '"{city: Paris}"'), toolResult.replace('{"temp": 21}', '"21"'), assistant)}\n${chat(user, toolCall.replace('"{\\"city\\": \\"Paris\\"}"', '"{\\"city\\":\\"Paris\\"}"'), toolResult.replace('{"temp": 21}', '"21"'), assistant)}\n`,
        },
      ],
    },
  ],
});
