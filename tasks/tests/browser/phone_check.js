// The phone checks of test_phone.py, run in the page: sideways scrolling, 44 px targets, labelled figures.
() => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest('details:not([open]) > :not(summary)');
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${text}"`;
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(el)) continue;
    let box = el;
    if (el.type === 'checkbox' || el.type === 'radio') box = el.closest('label') || document.querySelector(`label[for="${el.id}"]`) || el;
    const r = box.getBoundingClientRect();
    if (r.height < 44 - 0.5 || r.width < 44 - 0.5) small.push(`${describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  const NUMBER = /^[+-]?\d[\d,]*(\.\d+)?\s*%?$/;
  const LABEL = /[A-Za-z\u4e00-\u9fff]/;
  const pseudo = (el) => {
    for (const which of ['::before', '::after']) {
      const c = getComputedStyle(el, which).content;
      if (c && c !== 'none' && c !== 'normal' && LABEL.test(c)) return true;
    }
    return false;
  };
  const BOXES = ['TD', 'TH', 'LI', 'DD', 'P', 'DIV', 'SECTION', 'A', 'LABEL', 'BUTTON'];
  const unlabelled = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!NUMBER.test(text)) continue;
    const el = node.parentElement;
    if (!el || !visible(el) || el.closest('script, style, option, select, .pagination, time, .crumbs, h1, .timeline')) continue;
    // The figure's box: the element holding it, or the nearest box-like ancestor for inline wrappers.
    let box = el;
    while (!BOXES.includes(box.tagName) && box.parentElement && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
    // A figure that is all of its table cell (a link in it, say): the cell is its box.
    const cell = box.closest('td, th');
    if (cell && cell.innerText.trim() === text) box = cell;
    const own = box.innerText.replace(text, '');
    let ok = LABEL.test(own) || pseudo(box) || (box !== el && pseudo(el));
    if (!ok && box.tagName === 'DD') ok = !!(box.previousElementSibling && box.previousElementSibling.tagName === 'DT' && visible(box.previousElementSibling));
    if (!ok && (box.tagName === 'TD' || box.tagName === 'TH')) {
      const table = box.closest('table');
      const head = table && table.tHead;
      if (head && visible(head)) {
        const cell = head.rows[0] && head.rows[0].cells[box.cellIndex];
        ok = !!(cell && LABEL.test(cell.innerText));
      }
    }
    if (!ok && box.parentElement && box.tagName !== 'TD') {
      // A figure in its own small box beside its label (a count's number above its words).
      const parent = box.parentElement;
      ok = ['A', 'DIV', 'LI', 'P', 'SPAN'].includes(parent.tagName) && parent.children.length <= 3
        && LABEL.test(parent.innerText.replace(text, '')) && !parent.matches('tr, tbody, table, ul, ol, .worktable *');
    }
    if (!ok) unlabelled.push(`${describe(box)} in ${describe(box.parentElement || box)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, small, unlabelled};
}
