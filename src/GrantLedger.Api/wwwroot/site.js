// Progressive enhancement only: the pages work without it.
// A form submits once: a second click (or Enter) while the first is on its way does nothing.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form.dataset.submitted === 'true') { event.preventDefault(); return; }
  form.dataset.submitted = 'true';
  form.querySelectorAll('button[type=submit]').forEach((b) => { b.setAttribute('aria-busy', 'true'); });
});
// Live progress for a report that is being generated.
document.querySelectorAll('[data-report-status]').forEach((element) => {
  const poll = async () => {
    const response = await fetch(element.dataset.reportStatus, { credentials: 'same-origin' });
    if (!response.ok) return;
    const report = await response.json();
    element.textContent = report.status === 'ready' ? 'ready' : `${report.status} (${report.progress}%)`;
    if (report.status === 'ready' || report.status === 'failed') { window.location.reload(); return; }
    setTimeout(poll, 700);
  };
  poll();
});
