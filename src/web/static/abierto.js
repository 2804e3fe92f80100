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
