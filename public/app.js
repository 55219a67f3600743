// The few behaviours plain HTML lacks, by event delegation so swapped-in content works too.
// Loaded as a file: the Content-Security-Policy allows no inline script.
document.addEventListener('change', (event) => {
  const box = event.target
  if (!(box instanceof HTMLInputElement)) return
  const form = box.form
  if (!form) return
  // "Select every record on this page" ticks or clears the row boxes.
  if (box.dataset.checkAll) {
    for (const row of form.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`)) row.checked = box.checked
  }
  // "Select all N matching" applies to the filter, so the row boxes follow it.
  if (box.hasAttribute('data-select-all')) {
    for (const row of form.querySelectorAll('input[type=checkbox][name="ids"], [data-check-all]')) {
      row.checked = box.checked
      row.disabled = box.checked
    }
  }
})

// A form with data-confirm asks first (Approve and lock a pay period); Cancel sends nothing.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return
  if (!window.confirm(form.dataset.confirm)) event.preventDefault()
})

// Keyboard and screen-reader care for swapped content. A MutationObserver, not htmx's events: an
// outerHTML swap fires them on the element it removed, which no longer reaches the document.
let focused = null
let focusPath = []
let lastAnnounced = ''
const opened = new WeakSet()

/** The control focused last and the ids of its ancestors, nearest first: where focus goes back when a swap removes it. */
const pathOf = (element) => {
  const ids = []
  for (let node = element; node; node = node.parentElement) if (node.id) ids.push(node.id)
  return ids
}
document.addEventListener('focusin', (event) => {
  if (event.target.closest('dialog')) return
  focused = event.target
  focusPath = pathOf(event.target)
})

const focusable = 'a[href], button, input, select, textarea, [tabindex]'
function focusOn(target) {
  if (!target.matches(focusable)) target.setAttribute('tabindex', '-1')
  target.focus()
}

/** Focus lost with the element that held it: a message the answer marks, else the same control, else its nearest surviving ancestor. */
function placeLostFocus(path) {
  const marked = document.querySelector('[data-focus-here]')
  if (marked) {
    marked.removeAttribute('data-focus-here')
    return focusOn(marked)
  }
  const target = path.map((id) => document.getElementById(id)).find(Boolean)
  if (target) focusOn(target)
}

/** A dialog that arrives (an IMPORT preview, an Updated pop-up) opens modal; closing it removes it and gives focus back to what opened it. */
function openDialogs() {
  for (const dialog of document.querySelectorAll('dialog[data-modal]')) {
    if (opened.has(dialog)) continue
    opened.add(dialog)
    const opener = focused
    const path = focusPath
    // Arrived open (it works without script): reopened as a modal, without the close event close() would send.
    dialog.removeAttribute('open')
    dialog.showModal()
    dialog.addEventListener(
      'close',
      () => {
        dialog.remove()
        if (opener && opener.isConnected) focusOn(opener)
        else placeLostFocus(path)
      },
      { once: true },
    )
  }
}

/** The live region says what a run's panel wants said, once per change (its text holds no seconds). */
function announce() {
  const panel = document.querySelector('[data-announce]')
  const text = panel ? panel.dataset.announce : ''
  if (!text || text === lastAnnounced) return
  const first = !lastAnnounced
  lastAnnounced = text
  // The page as it loads says nothing; what changes after, the live region says.
  if (first) return
  const region = document.getElementById('announcer')
  if (region) region.textContent = text
}

/** A table box wider than the screen can be reached and scrolled with the keyboard; a box that fits adds no Tab stop. */
function scrollableTables() {
  for (const box of document.querySelectorAll('.table-scroll')) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute('tabindex', '0')
      box.setAttribute('role', 'region')
      if (!box.hasAttribute('aria-label')) box.setAttribute('aria-label', 'Table, scrolls sideways')
    } else if (box.getAttribute('tabindex') === '0') {
      box.removeAttribute('tabindex')
      box.removeAttribute('role')
    }
  }
}
window.addEventListener('resize', scrollableTables)

function afterChange() {
  openDialogs()
  announce()
  scrollableTables()
  const active = document.activeElement
  const lost = focused && !focused.isConnected && (!active || active === document.body)
  if (lost && !document.querySelector('dialog[open]')) {
    const path = focusPath
    focused = null
    placeLostFocus(path)
  }
}

let queued = false
new MutationObserver(() => {
  if (queued) return
  queued = true
  queueMicrotask(() => {
    queued = false
    afterChange()
  })
}).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-announce'] })
document.addEventListener('DOMContentLoaded', afterChange)

// Tab and Shift+Tab go round a modal dialog's controls (the browser would leave it for its own toolbar).
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Tab') return
  const dialog = document.querySelector('dialog[open]:modal')
  if (!dialog) return
  const controls = [
    ...dialog.querySelectorAll(
      'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])',
    ),
  ].filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
  if (controls.length === 0) return
  const first = controls[0]
  const last = controls[controls.length - 1]
  if (event.shiftKey ? document.activeElement === first || !dialog.contains(document.activeElement) : document.activeElement === last) {
    event.preventDefault()
    ;(event.shiftKey ? last : first).focus()
  }
})
