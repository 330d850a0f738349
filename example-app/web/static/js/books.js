// books.js: the book list. Everything on this page comes from the API with
// the Bearer token; buttons for adding, editing and deleting appear only
// for users whose permissions allow them (the API refuses the others
// anyway, with 403).
'use strict';

(() => {
  if (!Auth.access) {
    toLogin();
    return;
  }
  const $ = (id) => document.getElementById(id);
  const state = { page: 1, size: 10, total: 0, perms: [], editing: null, deleting: null };

  function notify(msg, bad) {
    const n = $('notice');
    n.textContent = msg;
    n.classList.toggle('bad', !!bad);
    n.hidden = false;
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
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

  async function load() {
    let data;
    try {
      data = await api('GET', `/book/list?page=${state.page}&size=${state.size}`);
    } catch (e) {
      if (e.status !== 401) notify(e.message, true);
      return;
    }
    state.total = data.total;
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
      const td = cell('No books yet.', 'muted');
      td.colSpan = canEdit || canDelete ? 6 : 5;
      tr.append(td);
      body.append(tr);
    }
    for (const b of data.items) {
      const tr = document.createElement('tr');
      tr.dataset.id = b.id;
      tr.dataset.title = b.title;
      tr.append(cell(b.id, 'num'), cell(b.title, 'title'), cell(b.author), cell(b.year || '', 'num'), cell(b.isbn || '', 'isbn'));
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
    $('page-info').textContent = `Page ${state.page} of ${pages} · ${data.total} books`;
    $('prev-btn').disabled = state.page <= 1;
    $('next-btn').disabled = state.page >= pages;
    document.body.dataset.loaded = 'true';
  }

  function openEditor(book) {
    state.editing = book || null;
    $('book-dialog-title').textContent = book ? 'Edit book' : 'Add book';
    $('book-title').value = book ? book.title : '';
    $('book-author').value = book ? book.author : '';
    $('book-year').value = book && book.year ? book.year : '';
    $('book-isbn').value = book ? book.isbn || '' : '';
    $('book-error').hidden = true;
    $('book-dialog').showModal();
    $('book-title').focus();
  }

  async function save(ev) {
    ev.preventDefault();
    const year = $('book-year').value.trim();
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
        state.page = 1; // newest first: the new book is on page 1
        notify(`Added “${input.title.trim()}”.`);
      }
      $('book-dialog').close();
      await load();
    } catch (e) {
      const err = $('book-error');
      err.textContent = e.fields.length
        ? e.fields.map((f) => `${f.field} ${f.message}`).join('; ')
        : e.message;
      err.hidden = false;
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

  async function logout() {
    try {
      await api('POST', '/user/logout');
    } catch {
      // Logged out either way: the tokens are dropped below.
    }
    toLogin();
  }

  async function start() {
    let me;
    try {
      me = await api('GET', '/api/user/info');
    } catch (e) {
      if (e.status !== 401) notify(e.message, true);
      return;
    }
    state.perms = me.permissions || [];
    $('whoami').textContent = `${me.username} (${me.roles.join(', ')})`;
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

  $('logout-btn').addEventListener('click', logout);
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
