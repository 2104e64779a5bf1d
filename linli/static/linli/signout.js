// Signing out forgets the pages kept for use without signal (a grid worker's list names
// residents and their doors), so the next person on a shared phone cannot open them offline.
// Records still waiting to be sent stay in the outbox: nothing typed is lost.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("[data-signout]") || !window.caches || form.dataset.cleared) return;
  event.preventDefault();
  caches
    .keys()
    .then((keys) => Promise.all(keys.map((key) => caches.delete(key))))
    .catch(() => {})
    .finally(() => {
      form.dataset.cleared = "1";
      form.submit();
    });
});
