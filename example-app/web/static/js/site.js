// site.js: what every page shares: the account corner of the top bar (who
// is logged in, log out) and, on the home page, the greeting.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  async function logout() {
    try {
      await api('POST', '/user/logout', undefined, { stay: true });
    } catch {
      // Logged out either way: the tokens are dropped below.
    }
    Auth.clear();
    window.location.assign('/login.html');
  }

  async function whoami() {
    if (!Auth.access) return null;
    let me;
    try {
      me = await api('GET', '/api/user/info', undefined, { stay: true });
    } catch {
      return null; // a stale token: api() has switched the page to logged out
    }
    const who = $('whoami');
    who.textContent = me.username;
    who.title = 'Roles: ' + ((me.roles || []).join(', ') || 'none');
    const home = $('home-user');
    if (home) home.textContent = me.username;
    return me;
  }

  $('logout-btn').addEventListener('click', logout);
  // The page's own script awaits the user instead of asking again.
  window.currentUser = whoami();
})();
