/**
 * Content risk: what a text would change in how an agent behaves, whoever proposed it and whatever evidence backs it.
 * Provenance says who wrote a note; this says what the note is about. A note on safety settings, review, credentials,
 * deleting memory or history, running code from the internet, publishing or pushing, or one that speaks to the memory
 * or to an AI, is high risk: a person reads it before it reaches main, however often the sessions repeat it. Saying
 * not to do the thing ("never force-push") is about it too, and is flagged the same way: a reviewer weighs both.
 * Pure and deterministic: patterns over the text, nothing else.
 */

export type RiskTopic = 'remote code' | 'credentials' | 'memory deletion' | 'review' | 'safety' | 'publishing' | 'pushing' | 'addressed to an AI';

export interface RiskFinding {
  topic: RiskTopic;
  /** What the text does, for the reviewer: "runs code downloaded from the internet". */
  does: string;
  /** The words that show it, as the text has them (shortened). */
  words: string;
}

interface Signal {
  topic: RiskTopic;
  /** What the text does, completed with the words found: "it runs code from the internet". */
  does: string;
  pattern: RegExp;
  /**
   * Words every match of `pattern` holds, asked first. V8 compiles a pattern the first time it runs, and for the long
   * ones with bounded repeats (`[^.;\n]{0,40}`) that costs milliseconds each: a cycle would pay it for every command
   * it classifies, when most notes hold none of these words.
   */
  gate?: RegExp;
}

/** Exported for the test that every gate holds of what its pattern matches. */
export const SIGNALS: readonly Signal[] = [
  { topic: 'remote code', does: 'runs code downloaded from the internet', pattern: /\b(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^|\n`]*\|\s*(?:sudo\s+)?(?:ba|z|da|k|fi)?sh\b|\b(?:curl|wget)\b[^|\n`]*\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby|iex)\b/i, gate: /curl|wget|iwr|irm|invoke-/i },
  { topic: 'remote code', does: 'runs code downloaded from the internet', pattern: /\b(?:ba|z)?sh\s+(?:-c\s+)?["']?\$?<?\(\s*(?:curl|wget)\b|\$\(\s*(?:curl|wget)\b|\beval\b[^\n`]{0,10}\b(?:curl|wget)\b|\|\s*iex\b|\biex\s*\(/i },
  { topic: 'remote code', does: 'installs or runs a package straight from an address', pattern: /\b(?:npx|pnpm dlx|bunx|pip3? install|npm (?:install|i)|pnpm add|yarn add|go run)\s+(?:git\+)?https?:\/\/\S+/i, gate: /https?:\/\//i },
  { topic: 'credentials', does: 'handles credentials', pattern: /\b(?:credentials?|passwords?|passphrases?|secrets?|private keys?|api[ _-]?keys?|access keys?|ssh keys?|(?:api|access|auth|bearer|github|gh|npm|pypi|slack|oauth|refresh|session|personal access|deploy) tokens?)\b/i },
  { topic: 'credentials', does: 'handles credentials', pattern: /~\/\.(?:aws|ssh|gnupg|kube|docker|npmrc|netrc|pypirc|config\/gh)\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|(?:^|[\s`'"(])\.env\b|\b[A-Z][A-Z0-9]*_(?:TOKEN|SECRET|PASSWORD|API_KEY|ACCESS_KEY|SECRET_KEY)\b|\[REDACTED\b/ },
  { topic: 'memory deletion', does: 'deletes memory or history', pattern: /\b(?:delete|deleting|remove|removing|wipe|wiping|erase|erasing|clear|clearing|truncate|empty|purge|reset|overwrite|rm)\b[^.;\n]{0,40}?(?:\bmemor(?:y|ies)\b|\binstructions\b|\bclaude\.md\b|\bagents\.md\b|\bgemini\.md\b|\.cursorrules\b|\.reverie\b|\.git\b|\bgit history\b|\bhistory\b)/i },
  // `rm -rf node_modules` is housekeeping; the same on the repository, home or memory is not.
  { topic: 'memory deletion', does: 'deletes memory or history', pattern: /\brm\s+-[a-z]*[rf][a-z]*\s+(?:\S*\/)?(?:\.git|\.reverie|memory|instructions|~|\$HOME|\/|\*)(?=[\s`'"]|$)|\bgit\s+(?:reset\s+--hard|clean\s+-[a-z]*f|filter-branch|filter-repo|reflog\s+expire|gc\s+--prune=now)\b/i, gate: /rm|git/i },
  { topic: 'review', does: 'changes how work is reviewed or checked', pattern: /--no-verify\b|\b(?:skip|skipping|skips|bypass|bypassing|disable|disabling|without|no need for|no need to)\b[^.;\n]{0,25}\b(?:reviews?|reviewers?|code review|approvals?|approve|checks?|ci|tests?|hooks?|pre-commit|lint(?:ing)?|verification|pull requests?|prs?)\b/i },
  { topic: 'review', does: 'changes how work is reviewed or checked', pattern: /\b(?:reviews?|approvals?|pull requests?|prs?|tests?|checks?)\b[^.;\n]{0,20}\b(?:(?:is|are) (?:not|never) (?:needed|required|necessary)|(?:is|are) optional|(?:is|are) unnecessary|(?:is|are) disabled|never needs?)\b|\b(?:merge|approve)\b[^.;\n]{0,30}\b(?:your own|right away|immediately|without)\b|\bauto-?(?:approve|merge)\b/i },
  { topic: 'safety', does: 'weakens a safety setting', pattern: /\bNODE_TLS_REJECT_UNAUTHORIZED\b|\bGIT_SSL_NO_VERIFY\b|\bstrict-ssl\b|--insecure\b|--no-check-certificate\b|\bverify\s*=\s*False\b|\bsslVerify\b|--dangerously[\w-]*|--yolo\b|\bchmod\s+(?:-R\s+)?0?777\b|\b(?:disable|disabling|turn off|bypass)\b[^.;\n]{0,25}\b(?:auth\w*|ssl|tls|certificates?|sandbox|firewall|security|2fa|mfa|permissions?|guard)\b/i, gate: /node_tls_reject_unauthorized|git_ssl_no_verify|strict-ssl|--insecure|--no-check-certificate|verify|--dangerously|--yolo|chmod|disabl|turn off|bypass/i },
  { topic: 'safety', does: 'gives out elevated rights', pattern: /\bsudo\b|\b(?:admin|root|owner|write)\s+(?:rights|access|privileges|permissions?|role)\b|\bfull permissions\b/i },
  { topic: 'publishing', does: 'publishes or deploys', pattern: /\b(?:npm|pnpm|yarn|bun|cargo|gem|poetry|twine|uv|flit|hatch|dotnet nuget|mvn|gradle|changeset)\b[^.;\n`]{0,20}\b(?:publish|upload|release)\b|\bgh release (?:create|upload)\b|\bdocker (?:image )?push\b|\bdeploy\w*\b[^.;\n]{0,30}\b(?:prod|production|live)\b|\bpublish\w*\s+(?:the |a |an |new )?(?:package|release|crate|gem|version|tag|image|module|library)s?\b/i, gate: /publish|upload|release|push|deploy/i },
  { topic: 'pushing', does: 'pushes past the usual way', pattern: /\bforce[- ]push\w*|\bpush\b[^.;\n]{0,30}(?:--force\b|--force-with-lease\b|\s-f\b|--mirror\b|--no-verify\b|--delete\b)|\bpush\w*\b[^.;\n]{0,30}\b(?:main|master|trunk|production|prod|default branch)\b|\bpush\w*\b[^.;\n]{0,12}\b(?:directly|straight)\b|\bpush\w*\b[^.;\n]{0,40}(?:https?:\/\/|git@|ssh:\/\/)/i, gate: /push/i },
  { topic: 'addressed to an AI', does: 'speaks to the memory or to an AI', pattern: /\b(?:add|save|write|store|put|record|append|commit)\b[^.;\n]{0,40}\b(?:to|in|into) (?:your |the |this )?(?:memory|memories|notes|claude\.md|agents\.md|gemini\.md|instructions|rules|system prompt)\b|\bupdate (?:your |the )?(?:memory|instructions|rules|system prompt)\b|\bremember (?:this|the following)\b/i, gate: /memor|notes|claude\.md|agents\.md|gemini\.md|instructions|rules|system prompt|remember/i },
  { topic: 'addressed to an AI', does: 'speaks to the memory or to an AI', pattern: /\b(?:ignore|disregard|forget|override|overrule)\b[^.;\n]{0,40}\b(?:instructions?|rules|memory|guidelines|claude\.md|agents\.md|prompt|above|previous|prior)\b|\byou are\b|\byou're (?:now|an?|the)\b|\b(?:act|behave|respond) as\b|\bpretend\b|\bfrom now on\b|\bnew (?:instructions|rules|persona)\b|\bsystem (?:prompt|message|override)\b/i },
  { topic: 'addressed to an AI', does: 'speaks to the memory or to an AI', pattern: /\bas an? (?:ai|llm|language model|assistant)\b|\b(?:ai|llm|coding|language) (?:agents?|assistants?|models?|reviewers?)\b|\b(?:dear|attention|note to|hey) (?:the |all |any )?(?:ai|llm|assistants?|agents?|claude)\b|\bagents\s*:/i },
];

const MAX_SHOWN = 60;

/** What in `text` makes it high risk, one finding per topic (the first words that show it); none for an ordinary note. */
export function contentRisks(text: string): RiskFinding[] {
  const found = new Map<RiskTopic, RiskFinding>();
  for (const signal of SIGNALS) {
    if (found.has(signal.topic) || (signal.gate && !signal.gate.test(text))) continue;
    const match = signal.pattern.exec(text);
    if (!match) continue;
    const words = match[0].replace(/\s+/g, ' ').trim();
    found.set(signal.topic, { topic: signal.topic, does: signal.does, words: words.length > MAX_SHOWN ? `${words.slice(0, MAX_SHOWN - 1)}…` : words });
  }
  return [...found.values()];
}
