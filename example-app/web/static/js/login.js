// login.js: the login form. It posts to /user/login itself (not through
// api(), whose 401 handling would bounce back to this very page).
'use strict';

(() => {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  const submit = document.getElementById('login-submit');
  // The button starts disabled so that nobody can submit the form natively
  // (putting the password in the URL) before this script is listening.
  submit.disabled = false;

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const username = document.getElementById('username').value.trim();
    const password = document.getElementById('password').value;
    if (!username || !password) {
      error.textContent = 'Enter your username and password.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      const res = await fetch('/user/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      const body = await res.json();
      if (!res.ok) {
        error.textContent = res.status === 429
          ? 'Too many failed attempts. Wait a minute and try again.'
          : body.message || 'Login failed.';
        error.hidden = false;
        return;
      }
      Auth.save(body.data);
      // The server checked ?next= when it rendered this page.
      window.location.assign(form.dataset.next || '/books.html');
    } catch (e) {
      error.textContent = 'The server cannot be reached.';
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
})();
