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
// Totals while typing (the ledger still decides on submit): a form with data-limit sums its data-amount inputs (plus
// data-already) against the limit; with data-indirect-cap it also checks indirect costs against the cap of direct costs.
const money = (n) => n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const figure = (text) => { const v = Number(String(text || '').replace(/,/g, '').trim()); return Number.isFinite(v) ? v : NaN; };
document.querySelectorAll('form[data-limit]').forEach((form) => {
  const total = form.querySelector('[data-total]');
  if (!total) return;
  const limit = figure(form.dataset.limit);
  const already = figure(form.dataset.already || '0');
  const update = () => {
    let sum = already; let bad = false; let indirect = 0;
    form.querySelectorAll('[data-amount]').forEach((input) => {
      if (input.value.trim() === '') return;
      const v = figure(input.value);
      if (Number.isNaN(v)) { bad = true; return; }
      sum += v;
      const row = input.closest('[data-line]');
      const heading = row ? row.querySelector('[data-heading]') : null;
      if (heading && heading.value === form.dataset.indirectHeading) indirect += v;
    });
    const parts = [];
    if (bad) parts.push('A figure is not a number (use a dot for decimals).');
    const left = Math.round((limit - sum) * 100) / 100;
    if (form.dataset.exact !== undefined) {
      parts.push(`${money(sum)} of ${money(limit)} EUR` + (left === 0 ? ': adds up.' : left > 0 ? `: ${money(left)} still to place.` : `: ${money(-left)} too much.`));
    } else {
      parts.push(`${money(sum)} of ${money(limit)} EUR planned` + (left >= 0 ? `, ${money(left)} left.` : `: ${money(-left)} more than allowed.`));
    }
    let over = bad || left < 0 || (form.dataset.exact !== undefined && left !== 0);
    if (form.dataset.indirectCap) {
      const cap = Math.round((sum - indirect) * figure(form.dataset.indirectCap) * 100) / 100;
      parts.push(`Indirect costs ${money(indirect)} of at most ${money(cap)} EUR.`);
      if (indirect > cap) over = true;
    }
    total.textContent = parts.join(' ');
    total.classList.toggle('bad', over);
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
});
// The award form: how much of the programme stays uncommitted, and whether a second person must approve.
document.querySelectorAll('[data-live-award]').forEach((input) => {
  const out = document.getElementById('amount-check');
  const uncommitted = figure(document.getElementById('uncommitted').dataset.uncommitted);
  const threshold = input.form.dataset.threshold ? figure(input.form.dataset.threshold) : NaN;
  const update = () => {
    const v = figure(input.value);
    if (input.value.trim() === '' || Number.isNaN(v)) { out.textContent = ''; return; }
    const left = Math.round((uncommitted - v) * 100) / 100;
    out.textContent = (left >= 0 ? `${money(left)} EUR stays uncommitted.` : `${money(-left)} EUR more than is uncommitted.`) +
      (!Number.isNaN(threshold) && v >= threshold ? ' At or above the threshold: the award waits for a second person.' : '');
    out.classList.toggle('bad', left < 0);
  };
  input.addEventListener('input', update);
  update();
});
// A link to a row (from the work queue: /grants/…#payment-…) shows that row; where the row's one action is a form
// (a grantee confirming a receipt or delivering a milestone), it opens, so the form is where the link leads.
const openTarget = () => {
  if (!window.location.hash) return;
  const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  if (!target || target.tagName !== 'TR') return; // rows only: the skip link's #main keeps its own focus
  for (let d = target.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
  const action = target.querySelector('details.action[data-opens-from-link]');
  if (action) { action.open = true; action.querySelector('summary').focus(); }
  target.scrollIntoView({ block: 'center' });
};
openTarget();
window.addEventListener('hashchange', openTarget);
// Tables on a narrow screen (site.css): each cell carries its column's heading as data-label, shown in front of it when
// the rows are stacked; the heading cells say they head their column. Roles keep the table a table for screen readers
// when the stacked layout turns its rows into blocks.
document.querySelectorAll('table').forEach((table) => {
  const head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
  if (!head) return;
  const labels = [];
  [...head.cells].forEach((th) => {
    if (th.tagName === 'TH' && !th.hasAttribute('scope')) th.setAttribute('scope', 'col');
    for (let i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
  });
  table.setAttribute('role', 'table');
  [table.tHead, ...table.tBodies, table.tFoot].filter(Boolean).forEach((group) => {
    group.setAttribute('role', 'rowgroup');
    [...group.rows].forEach((row) => {
      row.setAttribute('role', 'row');
      let column = 0;
      [...row.cells].forEach((cell) => {
        if (group === table.tHead) {
          cell.setAttribute('role', 'columnheader');
        } else {
          cell.setAttribute('role', cell.tagName === 'TH' ? 'rowheader' : 'cell');
          if (!cell.hasAttribute('data-label')) cell.setAttribute('data-label', labels[column] || '');
        }
        column += cell.colSpan || 1;
      });
    });
  });
  table.classList.add('stack');
});
