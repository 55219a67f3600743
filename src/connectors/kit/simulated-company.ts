// What the simulators' generated companies have in common with real ones.

/**
 * As in a real small company, some employees share an e-mail address, which neither QuickBooks
 * keeps from happening: every eighth employee (by position) uses the office mailbox, and the 19th
 * and 20th of every twenty share a family address.
 */
export function sharedEmail(i: number): string | null {
  if (i % 8 === 7) return 'office@example.com'
  if (i % 20 === 18 || i % 20 === 19) return `family${i - (i % 20)}@example.com`
  return null
}
