/**
 * Aider's chat history, `.aider.chat.history.md`: one Markdown file per project that every aider run appends to.
 * What aider writes (aider/io.py):
 *   - `# aider chat started at YYYY-MM-DD HH:MM:SS` (local time) when a run starts: one session each;
 *   - `#### <line>  ` for what the person typed (and for messages aider sends in their name: lint errors,
 *     `# Question:` for /help), `#### <blank>` for an empty input;
 *   - the model's reply as plain Markdown, after a blank line;
 *   - `> <text>  ` for tool output, warnings, errors and the questions it asks with their answers. A message of
 *     several lines gets `> ` on its first line only and the two trailing spaces on its last.
 * Aider records no timestamps per turn and no ids. A history can be hundreds of MB, so sessions are read and
 * handed out one at a time.
 */
import type { LogSource, ReaderEvent, SessionReader, ToolCall, ToolResult } from '../types.js';
import { classifyUserText } from './claude-code.js';
import { cleanInput, cleanText, idFromPath, WarningLog } from './common.js';
import { agentOf, isoTimestamp, sessionOf, TextBuffer, TurnBuilder, type SessionData } from './turns.js';

const HEADER = /^# aider chat started at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s*$/;
/** An Emacs mode line some people keep at the top of the file. */
const MODELINE = /^-\*-.*-\*-\s*$/;
/** What aider writes ends with a Markdown line break: two spaces. */
const BREAK = /  $/;
/**
 * The last line of a message of several lines: aider strips the message, so its last line ends in a visible
 * character and the break. A line of only spaces inside command output is not one.
 */
const MESSAGE_END = /\S  $/;

export const aiderReader: SessionReader = {
  format: 'aider',
  detect,
  read,
};

function detect(firstLines: string[], path: string): boolean {
  if (firstLines.some((l) => HEADER.test(l))) return true;
  // `<project>.aider.chat.history.md` is how `reverie sessions import` names a project's history.
  if (/\.aider\.chat\.history\.md$/i.test(path)) return true;
  // A copy that starts in the middle of a session: only aider's own line shapes tell.
  if (!/\.md$/i.test(path)) return false;
  const shaped = firstLines.filter((l) => /^(?:####|>)(?: .*)?  $/.test(l)).length;
  return shaped >= 2 && shaped >= firstLines.length - 1;
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const base = idFromPath(source.path);
  const agent = agentOf(source, []);
  const ids = new Map<string, number>();
  let current: AiderSession | undefined;
  let number = 0;
  for await (const line of source.lines()) {
    number++;
    const header = HEADER.exec(line);
    if (header) {
      const done = current?.finish();
      if (done) yield { kind: 'session', session: done };
      const startedAt = isoTimestamp(header[1]);
      const warning = startedAt ? undefined : log.add(`unreadable start time "${header[1]}"`, number);
      if (warning) yield { kind: 'warning', warning };
      current = new AiderSession(uniqueId(ids, `${base}@${startedAt ?? header[1]!.replace(' ', 'T')}`), agent, startedAt);
    } else if (current) current.line(line);
    else if (line.trim() !== '' && !MODELINE.test(line)) (current = new AiderSession(base, agent, undefined)).line(line);
  }
  const done = current?.finish();
  if (done) yield { kind: 'session', session: done };
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
}

/** Two runs started in the same second would share an id; the second gets `#2`. */
function uniqueId(ids: Map<string, number>, id: string): string {
  const seen = (ids.get(id) ?? 0) + 1;
  ids.set(id, seen);
  return seen === 1 ? id : `${id}#${seen}`;
}

type BlockKind = 'user' | 'assistant' | 'harness';

/**
 * One run of aider. Lines are sorted into blocks: the person's (`####`), the model's (plain text after a blank
 * line) and aider's (`>`, with the bare lines that continue a message). A finished block becomes turns.
 */
class AiderSession {
  private readonly builder = new TurnBuilder();
  private readonly harness: Harness;
  private block: { kind: BlockKind; text: TextBuffer } | undefined;
  /** A harness message whose first line lacked the two-space break: it runs to the line that has one. */
  private messageOpen = false;
  private afterBlank = true;
  /**
   * Whether this file keeps aider's trailing spaces. Decided on the first `>` or `####` line; an editor that
   * strips trailing whitespace leaves only the prefixes to go by.
   */
  private strict: boolean | undefined;

  constructor(
    private readonly id: string,
    private readonly agent: string,
    startedAt: string | undefined,
  ) {
    this.builder.span.add(startedAt);
    this.harness = new Harness(this.builder);
  }

  line(line: string): void {
    if (this.messageOpen) return this.continueMessage(line);
    if (line.trim() === '') return this.blank();
    const kind = this.kindOf(line);
    if (kind === 'user') this.append('user', line.replace(/^####\s?/, ''));
    else if (kind === 'harness') this.harnessLine(line);
    else if (kind === 'continuation') this.block?.text.push(line.trimEnd());
    else this.append('assistant', line);
    this.afterBlank = false;
  }

  private kindOf(line: string): 'user' | 'harness' | 'continuation' | 'assistant' {
    const user = /^####(?: |$)/.test(line);
    const quoted = line.startsWith('>');
    if ((user || quoted) && this.strict === undefined) this.strict = BREAK.test(line);
    // Aider's own lines follow one another without a blank line; the model's reply always starts after one.
    const follows = !this.afterBlank && this.block !== undefined && this.block.kind !== 'assistant';
    if (user && (!this.strict || BREAK.test(line))) return 'user';
    const inReply = !this.afterBlank && this.block?.kind === 'assistant';
    if (quoted && !inReply && (!this.strict || BREAK.test(line) || follows)) return 'harness';
    if (!follows) return 'assistant';
    return this.block?.kind === 'harness' ? 'continuation' : 'harness';
  }

  private harnessLine(line: string): void {
    this.close();
    this.block = { kind: 'harness', text: new TextBuffer() };
    this.block.text.push(line.replace(/^>\s?/, '').trimEnd());
    this.messageOpen = this.strict === true && !BREAK.test(line);
  }

  private continueMessage(line: string): void {
    this.block?.text.push(line.trimEnd());
    if (MESSAGE_END.test(line)) this.messageOpen = false;
  }

  private append(kind: BlockKind, text: string): void {
    if (this.block?.kind !== kind || (kind === 'user' && this.afterBlank)) {
      this.close();
      this.block = { kind, text: new TextBuffer() };
    }
    this.block!.text.push(kind === 'assistant' ? text : text.trimEnd());
  }

  private blank(): void {
    if (this.block?.kind === 'assistant') this.block.text.push('');
    else this.close();
    this.afterBlank = true;
  }

  /** Turns the finished block into turns. */
  private close(): void {
    const block = this.block;
    this.block = undefined;
    if (!block) return;
    if (block.kind === 'harness') return this.harness.message(block.text.take());
    this.harness.close();
    const text = block.text.take();
    if (block.kind === 'assistant') this.builder.add('assistant', text);
    else this.userInput(text);
  }

  private userInput(typed: string): void {
    const text = typed.replace(/^<blank>$/gm, '').trim();
    if (text === '') return;
    const command = /^(?:\/(run|test)\s+|!)(\S[\s\S]*)$/.exec(text);
    this.builder.add('user', text, { synthetic: command !== null || isHarnessText(text) });
    if (command) this.harness.userCommand(command[1] === 'test' ? 'test' : 'run', command[2]!.trim());
  }

  finish(): SessionData | undefined {
    this.messageOpen = false;
    this.close();
    this.harness.close();
    return sessionOf(this.id, this.agent, this.builder);
  }
}

/**
 * Aider's bookkeeping, left out: token counts and costs, commit notices, the start-up banner, files added to the
 * chat, ^C. None says anything about the work, and a session nearly always ends on one of them.
 */
const NOISE = [
  /^Tokens: /,
  /^Cost: /,
  /^You can use \/undo\b/,
  /^Commit [0-9a-f]{7,40}\b/,
  /^Committing \S.* before applying edits\.?$/,
  /^Aider v\d/,
  /^(?:Models?|Main model|Weak model|Editor model): /,
  /^Git repo: /,
  /^Repo-map: /,
  /^Use \/help\b/,
  /^\^C\b/,
  /^(?:Added|Removed) \S.* (?:to|from) the chat\.?$/,
  /^Added \S.* to read-only files\.?$/,
  /^Restored previous conversation history\.?$/,
  /^(?:Removed|Now at|HEAD is): [0-9a-f]{7,40}\b/,
  // The command line aider was started with, first in every run.
  /^(?:\S*[/\\])?aider(?:\.exe)?(?: |$)/,
];

/** Questions aider asks and the answer it logs: `Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: n`. */
const QUESTION = /^(.+?\?)\s*(?:\(Y\)es\/\(N\)o[^\]\n]*\]|\(y\/n\/instructions\)):?[ \t]*([\s\S]*)$/;
/** The older form: `Attempt to fix lint errors? y`. */
const SHORT_QUESTION = /^(.+?\?) (y|n|yes|no)$/i;
const DECLINED = /^(?:n|no|d|don't|s|skip)/i;

/** What aider's output of a command holds when the command failed; aider logs no exit status. */
const FAILED_OUTPUT = /\b(?:error|errors found|exception|traceback|failed|failure|fatal|not found|no such file|permission denied)\b|\bexit (?:code|status):? [1-9]/i;

type Collecting = 'run' | 'test' | 'shell' | 'edit-error';

/** Most output lines remembered to recognise aider's second copy of a command's output. */
const MAX_SEEN_LINES = 20_000;

/** Output being gathered for a call until the next event closes it. */
class Collector {
  readonly output = new TextBuffer();
  /** The output's lines, trimmed, to recognise the copy old aider logs when it adds the output to the chat. */
  private readonly seen = new Set<string>();
  /** Aider put the output into the chat: for /test, that means the command failed. */
  added = false;
  /** Past the "Add ... to the chat?" question. */
  asked = false;
  /** What the person typed at that question, when it was more than yes or no. */
  instructions: string | undefined;

  constructor(
    readonly kind: Collecting,
    readonly call: ToolCall,
  ) {}

  /** Old aider logged a command's output once as one message, then again line by line when it added it. */
  isCopy(text: string): boolean {
    if (this.kind === 'edit-error' || this.output.empty) return false;
    return text.split('\n').every((l) => l.trim() === '' || this.seen.has(l.trim()));
  }

  add(text: string): void {
    this.output.push(text);
    for (const line of text.split('\n')) if (this.seen.size < MAX_SEEN_LINES) this.seen.add(line.trim());
  }
}

/**
 * Reads aider's `>` messages of one run, in order: shell commands it ran, edits it applied, questions and
 * answers. What maps to no call becomes a synthetic system turn.
 */
class Harness {
  private pending: string[] = [];
  /** The last message nothing claimed: the commands a following "Run shell command?" asks about. */
  private subject: string | undefined;
  private collector: Collector | undefined;
  private calls = 0;

  constructor(private readonly builder: TurnBuilder) {}

  message(text: string): void {
    const first = (text.split('\n', 1)[0] ?? '').trim();
    if (/^Added \d+ lines? of output to the chat\.?$/.test(first)) return this.outputAdded(first);
    if (first === '' || NOISE.some((re) => re.test(first))) return;
    const question = QUESTION.exec(text) ?? SHORT_QUESTION.exec(first);
    if (question) return this.answered(question[1]!, (question[2] ?? '').trim(), text);
    const running = /^Running:? (\S.*)$/.exec(first);
    if (running) return this.startCall('shell', { command: running[1]! });
    const edited = /^Applied edit to (\S.*)$/.exec(first);
    if (edited) return this.edited(edited[1]!);
    if (/^The LLM did not conform to the edit format/.test(first)) return this.editFailed(text);
    this.unclaimed(text);
  }

  /** The person typed `/run`, `!` or `/test`: aider runs the command for them. */
  userCommand(kind: 'run' | 'test', command: string): void {
    this.close();
    this.collector = new Collector(kind, this.newCall('shell', { command }));
  }

  /** Ends what is being gathered: at a new block, a new call, or the end of the run. */
  close(): void {
    this.closeCollector();
    this.releaseSubject();
    if (this.pending.length === 0) return;
    this.builder.add('system', cleanText(this.pending.join('\n')), { synthetic: true });
    this.pending = [];
  }

  private unclaimed(text: string): void {
    const collector = this.collector;
    if (collector?.isCopy(text)) {
      collector.added = true;
      return;
    }
    if (collector && !collector.asked) return collector.add(text);
    // Past the question, the command's output is over: this is aider's next message.
    this.closeCollector();
    this.releaseSubject();
    this.subject = text;
  }

  private releaseSubject(): void {
    if (this.subject !== undefined) this.pending.push(this.subject);
    this.subject = undefined;
  }

  private answered(question: string, answer: string, text: string): void {
    if (/^Run shell commands?\?$/.test(question)) return this.shellQuestion(answer, text);
    if (/^Add .*output to the chat\?$/.test(question)) return this.outputQuestion(answer);
    // Other questions (create a file? fix lint errors? add a URL?) are aider's bookkeeping, and so is what
    // they asked about.
    this.subject = undefined;
  }

  private shellQuestion(answer: string, text: string): void {
    const commands = (this.subject ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    this.subject = undefined;
    if (!DECLINED.test(answer)) return;
    this.close();
    for (const command of commands) {
      const call = this.newCall('shell', { command });
      this.builder.callWithResult(call, { toolCallId: call.id, isError: true, rejected: true, text: cleanText(text.trim()) });
    }
  }

  private outputQuestion(answer: string): void {
    const collector = this.collector;
    if (!collector) return;
    collector.asked = true;
    collector.added = !DECLINED.test(answer);
    // Old aider took instructions at this prompt: the person's words, sent with the output.
    if (!/^(?:y|yes|n|no|d|don't)?$/i.test(answer)) collector.instructions = answer;
  }

  /** Newer aider logs only that it added a command's output; for /test that alone says the command failed. */
  private outputAdded(text: string): void {
    const collector = this.collector;
    if (!collector) return;
    collector.added = true;
    if (collector.kind === 'test' && collector.output.empty) collector.add(text);
  }

  private startCall(name: string, input: Record<string, unknown>): void {
    this.close();
    this.collector = new Collector('shell', this.newCall(name, input));
  }

  private edited(path: string): void {
    this.close();
    const call = this.newCall('edit', { file_path: path });
    this.builder.callWithResult(call, { toolCallId: call.id, isError: false, text: cleanText(`Applied edit to ${path}`) });
  }

  private editFailed(text: string): void {
    this.close();
    this.collector = new Collector('edit-error', this.newCall('edit', {}));
    this.collector.add(text);
  }

  private closeCollector(): void {
    const collector = this.collector;
    this.collector = undefined;
    if (!collector) return;
    const result = resultOf(collector);
    // The file an edit missed is named in the details that follow the first error line.
    const missed = collector.kind === 'edit-error' ? /failed to exactly match lines in (\S+)/.exec(result?.text ?? '')?.[1] : undefined;
    if (missed) collector.call.input = { file_path: missed };
    this.builder.callWithResult(collector.call, result, { synthetic: collector.kind === 'run' || collector.kind === 'test' });
    if (collector.instructions) this.builder.add('user', cleanText(collector.instructions));
  }

  private newCall(name: string, input: Record<string, unknown>): ToolCall {
    this.calls++;
    return { id: `aider-${this.calls}`, name, input: cleanInput(input) };
  }
}

function resultOf(collector: Collector): ToolResult | undefined {
  const text = collector.output.take();
  const base = { toolCallId: collector.call.id, text };
  switch (collector.kind) {
    case 'edit-error':
      return { ...base, isError: true };
    // /test puts the output into the chat only when the command failed.
    case 'test':
      return { ...base, isError: collector.added };
    default:
      // Newer aider shows a command's output but does not log it: nothing is known then.
      return text === '' ? undefined : { ...base, isError: FAILED_OUTPUT.test(text) };
  }
}

/** Messages aider sends in the person's name, and commands to aider itself rather than requests to the model. */
const HARNESS_TEXT = [
  /^# Fix any errors below, if possible\./,
  /^# Question: /,
  /^I ran this command:/,
  /^# \d+ SEARCH\/REPLACE blocks? failed to match/,
  /^The LLM did not conform to the edit format/,
  /^Only \d+ reflections allowed/,
  /^I added these files to the chat:/,
  /^I spoke to you previously about/,
  /\(Y\)es\/\(N\)o\b/,
];
/** Slash commands that carry a request to the model in their argument. */
const CHAT_COMMAND = /^\/(?:ask|code|architect|help|context)\s+\S/;

function isHarnessText(text: string): boolean {
  if (HARNESS_TEXT.some((re) => re.test(text))) return true;
  if (/^\/\w/.test(text)) return !CHAT_COMMAND.test(text);
  return classifyUserText(text, false).synthetic;
}
