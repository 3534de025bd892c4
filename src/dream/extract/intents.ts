/**
 * Corrections people give coding agents over and over, each in other words every time: "don't write code yet",
 * "before writing any code, show me your plan", "DO NOT RUN ANYTHING, just explain" are one correction. Words alone
 * do not group them (they share few), so the common families are named here by what they ask; a statement in a family
 * is counted with the others of it, and the rule written is the clearest of the person's own sentences.
 *
 * Only families of how an agent should work, true of any project, belong here: what is particular to a project is
 * grouped by its own words (preference-clusters.ts).
 */

interface Intent {
  id: string;
  pattern: RegExp;
  /** The rule the family asks for, written whole: the person's own sentences are often a clipped "not yet". */
  rule: string;
}

const INTENTS: Intent[] = [
  {
    // Propose, explain or plan before changing anything.
    id: 'plan-before-changing',
    rule: 'Before writing code or running commands, explain your plan and wait for approval.',
    pattern:
      /\b(?:don'?t|do not)\s+(?:write|run|change|touch|make)\s+(?:any\s+)?(?:code|anything|files?|commands?|changes?)\b|\b(?:don'?t|do not|no)\b[^.;]{0,15}\b(?:write|writing|change|changing|touch|implement|code|coding|run|running|take|make|edit|modify)\b[^.;]{0,20}\b(?:code|anything|changes?|files?|commands?|actions?)\b(?:[^.;]{0,50}\b(?:yet|until|before|first|unless|just|only)\b|[^.;]{0,40}\b(?:explain|plan|proposal|propose|show me|tell me)\b)|\bbefore (?:you )?(?:write|writing|make|making|implement|implementing|change|changing|code|coding|touch|touching)\b[^.;]{0,25}\b(?:code|changes?|anything|files?)\b[^.;]{0,60}\b(?:plan|proposal|approach|confirm|approve|see|show)\b|\b(?:show|tell|explain|give)\b[^.;]{0,20}\b(?:plan|proposal|approach)\b[^.;]{0,40}\b(?:before|first|then (?:i'?ll )?approve|wait for)\b/i,
  },
  {
    // Ask before committing, pushing or merging.
    id: 'ask-before-publishing',
    rule: 'Ask before committing, pushing, merging or deploying.',
    pattern: /\b(?:don'?t|do not|never)\b[^.;]{0,15}\b(?:commit|push|merge|deploy|publish)\b[^.;]{0,30}\b(?:without|unless|until)\b[^.;]{0,20}\b(?:ask|asking|approval|approve|confirm|permission)\b|\bask (?:me )?(?:first |before )(?:you )?(?:commit|push|merg|deploy|publish)/i,
  },
  {
    // Keep changes to what the task needs.
    id: 'minimal-changes',
    rule: 'Make the smallest change that meets the task; do not touch unrelated code.',
    pattern: /\b(?:minimal|minimum|smallest|small(?:est)? possible)\b[^.;]{0,15}\b(?:changes?|diffs?|edits?|updates?)\b|\bonly (?:change|touch|modify|edit) what\b|\b(?:don'?t|do not)\b[^.;]{0,10}\b(?:refactor|touch|change)\b[^.;]{0,20}\b(?:anything|code|files?) (?:else|unrelated|you (?:were|weren'?t) (?:not )?asked)/i,
  },
  {
    // Leave no stray files behind.
    id: 'no-stray-files',
    rule: 'Do not leave stray files (notes, reports, scratch scripts) in the repository; put new files where their kind belongs.',
    pattern: /\blitter\b|\b(?:don'?t|do not|never|stop)\b[^.;]{0,15}\b(?:create|add|make|leave|write)\b[^.;]{0,30}\b(?:files?|docs?|markdown|\.md|scripts?|reports?)\b[^.;]{0,40}\b(?:root|everywhere|around|all over|random|unnecessary|extra|new)\b/i,
  },
  {
    // Show that it works before saying it is done.
    id: 'verify-before-done',
    rule: 'Before saying a task is done, show that it works: run the tests, the linter and the build.',
    pattern: /\b(?:prove|verify|confirm|test)\b[^.;]{0,30}\b(?:it(?:'s| is)? (?:done|complete|working|works)|(?:they|these|tasks?) (?:are|is) (?:done|complete))\b|\b(?:run|check) (?:the )?(?:tests?|linter|lint|build)\b[^.;]{0,30}\bbefore (?:you )?(?:say|tell|report|claim|mark)/i,
  },
];

/** The family a correction belongs to, or nothing when it is particular to its project. */
export function intentOf(sentence: string): string | undefined {
  return INTENTS.find((intent) => intent.pattern.test(sentence))?.id;
}

/** The rule a family asks for, written whole. */
export function intentRule(id: string): string | undefined {
  return INTENTS.find((intent) => intent.id === id)?.rule;
}
