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
