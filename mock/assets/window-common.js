// Shared by the mock's window scripts (payple-mock, not Payple's code). CFG (wire names,
// routes) is written in front of this by the mock, from the spec.
var script = document.currentScript;
var source = script && script.src ? new URL(script.src, window.location.href) : null;
var BASE = source ? source.origin : "";
// Non-interactive mode for tests: <script src=".../payment.js?mock_auto=approve">.
var AUTO = source ? source.searchParams.get("mock_auto") : null;

function plain(obj) {
  var fields = {};
  var callback = null;
  Object.keys(obj || {}).forEach(function (k) {
    var v = obj[k];
    if (typeof v === "function") {
      callback = v;
      fields[k] = v.name || k;
    } else if (v !== undefined && v !== null) {
      fields[k] = v;
    }
  });
  return { fields: fields, callback: callback };
}

function errorResult(message) {
  var r = {};
  if (CFG.names.status) r[CFG.names.status] = CFG.error_value;
  r[CFG.names.message || "message"] = message;
  return r;
}

// Payple's way: the callback receives the error result, else the page shows an alert.
function report(result, callback) {
  if (callback) callback(result);
  else window.alert(result[CFG.names.message || "message"]);
}

function postForm(action, fields) {
  var form = document.createElement("form");
  form.method = "POST";
  form.action = action;
  form.style.display = "none";
  Object.keys(fields).forEach(function (k) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = k;
    input.value = fields[k];
    form.appendChild(input);
  });
  document.body.appendChild(form);
  form.submit();
}

function openLayer(page, callback, resultUrl) {
  var overlay = document.createElement("div");
  overlay.id = "payple-mock-layer";
  overlay.setAttribute(
    "style",
    "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center"
  );
  var frame = document.createElement("iframe");
  frame.id = "payple-mock-window";
  frame.src = page;
  frame.setAttribute("style", "width:420px;height:600px;max-width:100%;border:0;border-radius:12px;background:#fff");
  overlay.appendChild(frame);
  document.body.appendChild(overlay);
  function onMessage(event) {
    if (event.origin !== BASE || !event.data || !event.data.paypleMockWindow) return;
    var m = event.data.paypleMockWindow;
    window.removeEventListener("message", onMessage);
    overlay.parentNode.removeChild(overlay);
    if (m.action === "close") return;
    if (callback) callback(m.fields);
    else postForm(resultUrl, m.fields);
  }
  window.addEventListener("message", onMessage);
}

function start(obj) {
  var p = plain(obj);
  var resultUrl = p.fields[CFG.names.result_url];
  fetch(BASE + CFG.check, {
    method: "POST",
    // A simple request (no preflight); the body is JSON.
    headers: { "Content-Type": "text/plain;charset=UTF-8" },
    body: JSON.stringify({
      generation: CFG.generation,
      obj: p.fields,
      origin: window.location.origin,
      auto: AUTO,
    }),
  })
    .then(function (r) {
      return r.json();
    })
    .then(function (a) {
      if (!a.ok) return report(a.result, p.callback);
      if (a.layer) openLayer(BASE + a.page, p.callback, resultUrl);
      else window.location.href = BASE + a.page;
    })
    .catch(function (e) {
      report(errorResult("payple-mock: the window could not be opened: " + e), p.callback);
    });
}
