// Progressive enhancement only: every page works without this file.
// Pressing "/" outside a field moves focus to the search box, as on many catalogue sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return
  const target = event.target
  if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return
  const box = document.querySelector('input[type="search"]')
  if (box instanceof HTMLInputElement) {
    event.preventDefault()
    box.focus()
  }
})

// The DataStore table's search form (resource/datastore.njk): without script it submits every
// field; here fields left empty or at their default stay out of the address, so each table state
// keeps one short URL (and one cached page).
for (const form of document.querySelectorAll('form.table-filter')) {
  form.addEventListener('submit', (event) => {
    const params = new window.URLSearchParams()
    const data = new window.FormData(form)
    for (const [key, value] of data) {
      if (typeof value !== 'string' || value === '') continue
      if (key === 'col' && !data.get('q')) continue
      if (key === 'per' && value === form.dataset.perDefault) continue
      params.set(key, value)
    }
    event.preventDefault()
    const query = params.toString()
    window.location.assign(`${form.action.split('#')[0].split('?')[0]}${query ? `?${query}` : ''}#preview-title`)
  })
}
