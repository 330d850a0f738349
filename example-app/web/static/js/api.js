// api.js: the page side of the API contract, shared by every page.
// Tokens live in localStorage; every call sends the access token as a
// Bearer token, keeps a renewed one from the New-Token header, tries one
// refresh when the access token has expired, and sends the user back to
// the login page on any other 401 (unless the caller asks to stay).
// It is loaded in <head>, so that <html data-auth="in|out"> is set before
// the page is drawn and no "Log in" button flashes for a logged-in user.
'use strict';

const Auth = {
  get access() { return localStorage.getItem('accessToken'); },
  get refresh() { return localStorage.getItem('refreshToken'); },
  save(data) {
    localStorage.setItem('accessToken', data.accessToken);
    localStorage.setItem('refreshToken', data.refreshToken);
  },
  clear() {
    localStorage.removeItem('accessToken');
    localStorage.removeItem('refreshToken');
  },
};

class ApiError extends Error {
  constructor(body, status) {
    super((body && body.message) || 'request failed');
    this.status = status;
    this.reason = body && body.reason;
    this.fields = (body && body.errors) || [];
  }
}

document.documentElement.dataset.auth = Auth.access ? 'in' : 'out';

// toLogin drops the tokens and goes to the login page, which brings the
// user back here afterwards (the server checks ?next= before using it).
function toLogin() {
  Auth.clear();
  const here = window.location.pathname + window.location.search;
  window.location.assign('/login.html?next=' + encodeURIComponent(here));
}

// One refresh at a time: the server ends a session whose refresh token is
// presented twice, so concurrent 401s must share a single attempt.
let refreshing = null;
function tryRefresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const token = Auth.refresh;
      if (!token) return false;
      const res = await fetch('/user/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
      });
      if (!res.ok) return false;
      Auth.save((await res.json()).data);
      return true;
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

// api calls the API and returns the data of the envelope, or throws an
// ApiError. opts.stay: a 401 only clears the tokens instead of leaving the
// page (the home page works logged out too).
async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (Auth.access) headers.Authorization = 'Bearer ' + Auth.access;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const renewed = res.headers.get('New-Token');
  if (renewed) localStorage.setItem('accessToken', renewed);
  let payload;
  try {
    payload = await res.json();
  } catch {
    payload = { code: res.status, message: res.statusText };
  }
  if (res.status === 401) {
    if (!opts.retried && payload.reason === 'expired' && Auth.refresh && await tryRefresh()) {
      return api(method, path, body, { ...opts, retried: true });
    }
    if (opts.stay) {
      Auth.clear();
      document.documentElement.dataset.auth = 'out';
    } else {
      toLogin();
    }
    throw new ApiError(payload, 401);
  }
  if (!res.ok) throw new ApiError(payload, res.status);
  return payload.data;
}

// can mirrors the server's permission wildcards ("book:*" grants
// "book:create"), only to decide which buttons to show: the server checks
// every call again.
function can(granted, want) {
  return granted.some((g) => {
    const gp = g.split(':');
    const wp = want.split(':');
    for (let i = 0; i < gp.length; i++) {
      if (gp[i] === '*' && i === gp.length - 1) return wp.length > i;
      if (gp[i] !== '*' && gp[i] !== wp[i]) return false;
    }
    return gp.length === wp.length;
  });
}
