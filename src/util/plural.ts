/** `1 session`, `2 sessions`; `many` for a word whose plural is not its singular and an s. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
