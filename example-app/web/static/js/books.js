// books.js: the book list. Everything on this page comes from the API with
// the Bearer token; buttons for adding, editing and deleting appear only
// for users whose permissions allow them (the API refuses the others
// anyway, with 403). Search, sort and page are kept in the address, so a
// reload or a link shows the same list.
'use strict';

(() => {
  if (!Auth.access) {
    toLogin();
    return;
  }
  const $ = (id) => document.getElementById(id);
  const SORTS = ['id', 'title', 'author', 'year'];
  const SIZES = [5, 10, 20, 50];
  const FIELDS = ['title', 'author', 'year', 'isbn'];
  const state = { page: 1, size: 10, q: '', sort: 'id', order: 'desc', perms: [], editing: null, deleting: null };

  // readAddress takes the list's state from the address bar, keeping only
  // values the API accepts.
  function readAddress() {
    const p = new URLSearchParams(window.location.search);
    const page = Number(p.get('page'));
    if (Number.isInteger(page) && page >= 1 && page <= 1000000) state.page = page;
    const size = Number(p.get('size'));
    if (SIZES.includes(size)) state.size = size;
    state.q = (p.get('q') || '').slice(0, 100);
    if (SORTS.includes(p.get('sort'))) state.sort = p.get('sort');
    if (['asc', 'desc'].includes(p.get('order'))) state.order = p.get('order');
  }

  function query() {
    const p = new URLSearchParams({ page: state.page, size: state.size, sort: state.sort, order: state.order });
    if (state.q) p.set('q', state.q);
    return p.toString();
  }

  function notify(msg, bad) {
    const n = $('notice');
    n.textContent = msg;
    n.classList.toggle('bad', !!bad);
    n.hidden = false;
  }

  function cell(text, label, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    td.dataset.label = label;
    if (cls) td.className = cls;
    return td;
  }

  function button(label, action, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = 'btn link ' + (cls || '');
    b.dataset.action = action;
    return b;
  }

  function showSort() {
    $('sort-select').value = `${state.sort}:${state.order}`;
    for (const b of document.querySelectorAll('button.sort')) {
      const th = b.closest('th');
      if (b.dataset.sort === state.sort) {
        th.setAttribute('aria-sort', state.order === 'asc' ? 'ascending' : 'descending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
  }

  async function load() {
    history.replaceState(null, '', '?' + query());
    showSort();
    let data;
    try {
      data = await api('GET', '/book/list?' + query());
    } catch (e) {
      if (e.status !== 401) notify(e.fields.length ? e.fields.map((f) => `${f.field} ${f.message}`).join('; ') : e.message, true);
      return;
    }
    const pages = Math.max(1, Math.ceil(data.total / state.size));
    if (state.page > pages) {
      state.page = pages;
      return load();
    }
    const canEdit = can(state.perms, 'book:update');
    const canDelete = can(state.perms, 'book:delete');
    const body = $('books-body');
    body.replaceChildren();
    if (data.items.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      const td = cell(state.q ? `No books match “${state.q}”.` : 'No books yet.', '', 'muted');
      td.colSpan = canEdit || canDelete ? 6 : 5;
      tr.append(td);
      body.append(tr);
    }
    for (const b of data.items) {
      const tr = document.createElement('tr');
      tr.dataset.id = b.id;
      tr.dataset.title = b.title;
      tr.append(cell(b.id, '#', 'num id'), cell(b.title, 'Title', 'title'), cell(b.author, 'Author', 'author'),
        cell(b.year || '—', 'Year', 'num year'), cell(b.isbn || '—', 'ISBN', 'isbn'));
      if (canEdit || canDelete) {
        const actions = document.createElement('td');
        actions.className = 'actions-col';
        if (canEdit) actions.append(button('Edit', 'edit'));
        if (canDelete) actions.append(button('Delete', 'delete', 'danger-text'));
        tr.append(actions);
      }
      tr.book = b;
      body.append(tr);
    }
    const found = state.q ? `${data.total} found` : `${data.total} books`;
    $('page-info').textContent = `Page ${state.page} of ${pages} · ${found}`;
    $('prev-btn').disabled = state.page <= 1;
    $('next-btn').disabled = state.page >= pages;
    document.body.dataset.loaded = 'true';
  }

  function clearErrors() {
    $('book-error').hidden = true;
    for (const f of FIELDS) {
      $(`book-${f}-error`).hidden = true;
      $(`book-${f}`).removeAttribute('aria-invalid');
    }
  }

  // showErrors puts each field's message under its input, all at once;
  // what belongs to no field goes below the form.
  function showErrors(e) {
    const other = [];
    for (const f of e.fields) {
      if (FIELDS.includes(f.field)) {
        const p = $(`book-${f.field}-error`);
        p.textContent = `${f.field[0].toUpperCase()}${f.field.slice(1)} ${f.message}.`;
        p.hidden = false;
        $(`book-${f.field}`).setAttribute('aria-invalid', 'true');
      } else {
        other.push(`${f.field} ${f.message}`);
      }
    }
    if (other.length || !e.fields.length) {
      $('book-error').textContent = other.length ? other.join('; ') : e.message;
      $('book-error').hidden = false;
    }
  }

  function openEditor(book) {
    state.editing = book || null;
    $('book-dialog-title').textContent = book ? 'Edit book' : 'Add book';
    $('book-title').value = book ? book.title : '';
    $('book-author').value = book ? book.author : '';
    $('book-year').value = book && book.year ? book.year : '';
    $('book-isbn').value = book ? book.isbn || '' : '';
    clearErrors();
    $('book-dialog').showModal();
    $('book-title').focus();
  }

  async function save(ev) {
    ev.preventDefault();
    clearErrors();
    const yearInput = $('book-year');
    const year = yearInput.value.trim();
    if (yearInput.validity.badInput) {
      // The browser keeps a non-number to itself (value is ""), so the
      // server cannot be asked about it.
      showErrors({ fields: [{ field: 'year', message: 'must be a number' }] });
      return;
    }
    const input = {
      title: $('book-title').value,
      author: $('book-author').value,
      year: year ? Number(year) : 0,
      isbn: $('book-isbn').value,
    };
    try {
      if (state.editing) {
        await api('PUT', `/book/${state.editing.id}`, input);
        notify(`Saved “${input.title.trim()}”.`);
      } else {
        await api('POST', '/book', input);
        state.page = 1;
        state.sort = 'id';
        state.order = 'desc'; // newest first: the new book is on top
        state.q = '';
        $('search').value = '';
        notify(`Added “${input.title.trim()}”.`);
      }
      $('book-dialog').close();
      await load();
    } catch (e) {
      showErrors(e);
    }
  }

  async function remove() {
    const book = state.deleting;
    $('confirm-dialog').close();
    if (!book) return;
    try {
      await api('DELETE', `/book/${book.id}`);
      notify(`Deleted “${book.title}”.`);
      await load();
    } catch (e) {
      if (e.status !== 401) notify(e.message, true);
    }
  }

  async function start() {
    readAddress();
    $('search').value = state.q;
    $('size-select').value = String(state.size);
    const me = await window.currentUser;
    if (!me) {
      toLogin();
      return;
    }
    state.perms = me.permissions || [];
    if (can(state.perms, 'book:create')) {
      $('add-btn').hidden = false;
    } else {
      $('add-btn').remove(); // readers get no button at all
    }
    if (!can(state.perms, 'book:update') && !can(state.perms, 'book:delete')) {
      $('actions-head').remove();
    }
    await load();
  }

  let typing;
  $('search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.q = $('search').value.trim();
      state.page = 1;
      load();
    }, 250);
  });
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typing);
    state.q = $('search').value.trim();
    state.page = 1;
    load();
  });
  $('sort-select').addEventListener('change', (ev) => {
    [state.sort, state.order] = ev.target.value.split(':');
    state.page = 1;
    load();
  });
  for (const b of document.querySelectorAll('button.sort')) {
    b.addEventListener('click', () => {
      const key = b.dataset.sort;
      if (state.sort === key) {
        state.order = state.order === 'asc' ? 'desc' : 'asc';
      } else {
        state.sort = key;
        state.order = key === 'id' || key === 'year' ? 'desc' : 'asc';
      }
      state.page = 1;
      load();
    });
  }
  const add = $('add-btn');
  if (add) add.addEventListener('click', () => openEditor(null));
  $('book-form').addEventListener('submit', save);
  $('book-cancel').addEventListener('click', () => $('book-dialog').close());
  $('confirm-no').addEventListener('click', () => $('confirm-dialog').close());
  $('confirm-yes').addEventListener('click', remove);
  $('prev-btn').addEventListener('click', () => { state.page--; load(); });
  $('next-btn').addEventListener('click', () => { state.page++; load(); });
  $('size-select').addEventListener('change', (ev) => {
    state.size = Number(ev.target.value);
    state.page = 1;
    load();
  });
  $('books-body').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (!b) return;
    const book = b.closest('tr').book;
    if (b.dataset.action === 'edit') openEditor(book);
    if (b.dataset.action === 'delete') {
      state.deleting = book;
      $('confirm-title').textContent = book.title;
      $('confirm-dialog').showModal();
    }
  });
  start();
})();
