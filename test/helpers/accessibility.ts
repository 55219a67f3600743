import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

// What the browser tests check of accessibility: axe-core's rules on the page as it stands, and the
// keyboard's path through it.

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical violations on the page (dialogs included), each as "rule: where". */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy does not apply to it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> } }).axe
    type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }
    const { violations } = await axe.run(document, { resultTypes: ['violations'] })
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)
  })
}

/** The accessible name of the focused element, roughly as a screen reader says it. */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return ''
    const label = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null)
    return (label ?? el.textContent ?? '').trim().replace(/\s+/g, ' ')
  })
}

/** Presses Tab until the focused element's name matches, as a keyboard user would; fails after `max` presses. */
export async function tabTo(page: Page, name: string | RegExp, max = 80): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab')
    const current = await focusedName(page)
    if (typeof name === 'string' ? current === name : name.test(current)) return presses
  }
  throw new Error(`${String(name)} was not reached in ${max} presses of Tab`)
}

/** Whether the focused element is inside an open dialog. */
export const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))

/** The contrast of the focused element's outline against the page behind it (WCAG's formula), and its width in pixels. */
export function focusRing(page: Page): Promise<{ contrast: number; width: number }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement
    const style = getComputedStyle(el)
    const rgb = (color: string) => (color.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map(Number)
    const luminance = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    let behind = 'rgb(255, 255, 255)'
    for (let node = el.parentElement; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor
      if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') {
        behind = bg
        break
      }
    }
    const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(behind))]
    return { contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), width: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth) }
  })
}
