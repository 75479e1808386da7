// Demo controls for the storefront, served only in demo mode (DEMO=on, the default outside production).
// A real store signs identity tokens on its own backend (see examples/merchant-backend) and its payment
// platform posts signed payment events; these buttons ask the VeryChat server to do both for the demo.
(function () {
  'use strict';
  var KEY = 'verychat-demo-user';
  var bar = document.createElement('div');
  bar.className = 'demo-bar';
  bar.setAttribute('role', 'region');
  bar.setAttribute('aria-label', 'VeryChat demo controls');

  var label = document.createElement('label');
  label.textContent = 'Demo customer ';
  var select = document.createElement('select');
  [['', 'Guest (anonymous)'], ['user123', 'Alice (user123)'], ['user456', 'Bob (user456)']].forEach(function (o) {
    var opt = document.createElement('option');
    opt.value = o[0];
    opt.textContent = o[1];
    select.appendChild(opt);
  });
  label.appendChild(select);

  function button(text, kind) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'ghost';
    b.textContent = text;
    b.addEventListener('click', function () { simulate(kind); });
    return b;
  }
  var received = button('Simulate payment received', 'success');
  var failed = button('Simulate failed payment', 'failure');
  var status = document.createElement('span');
  status.className = 'demo-status';
  status.setAttribute('aria-live', 'polite');
  bar.append(label, received, failed, status);
  document.body.insertBefore(bar, document.body.firstChild);

  function say(text) { status.textContent = text; }
  function refresh() { received.disabled = failed.disabled = !select.value; }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { if (!res.ok) throw new Error(json.error ? json.error.message : res.statusText); return json; }); });
  }

  function signIn(user) {
    refresh();
    if (!user) {
      localStorage.removeItem(KEY);
      say('Browsing as a guest.');
      return window.VeryChat('logout');
    }
    return post('/demo/identity', { user: user }).then(function (r) {
      localStorage.setItem(KEY, user);
      say('Signed in as ' + r.name + '.');
      return window.VeryChat('identify', { token: r.token });
    }).catch(function (e) { say('Sign-in failed: ' + e.message); });
  }

  function simulate(kind) {
    say('Sending a signed payment event…');
    post('/demo/payments', { user: select.value, kind: kind })
      .then(function (r) { say((kind === 'success' ? 'Payment received' : 'Payment failed') + ' event accepted (' + r.payment.status + ').'); })
      .catch(function (e) { say('Payment event refused: ' + e.message); });
  }

  select.addEventListener('change', function () { signIn(select.value); });
  var saved = localStorage.getItem(KEY);
  if (saved === 'user123' || saved === 'user456') {
    select.value = saved;
    signIn(saved);
  } else {
    refresh();
  }
})();
