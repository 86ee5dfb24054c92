// PaypleCpayAuthCheck(obj): every generation. The oldest pages name a partner file
// (obj[auth_file]) that performs partner auth; the script posts obj to it as form fields
// and takes the AuthKey and return_url of the answer.
window.PaypleCpayAuthCheck = function (obj) {
  var n = CFG.names;
  if (CFG.generation === "legacy" && obj && obj[n.auth_file] && !obj[n.auth_key]) {
    var p = plain(obj);
    var body = new URLSearchParams();
    Object.keys(p.fields).forEach(function (k) {
      body.append(k, p.fields[k]);
    });
    fetch(obj[n.auth_file], { method: "POST", body: body })
      .then(function (r) {
        return r.json();
      })
      .then(function (auth) {
        var copy = Object.assign({}, obj);
        copy[n.auth_key] = auth[n.auth_answer_key];
        copy[n.pay_url] = auth[n.auth_answer_url];
        start(copy);
      })
      .catch(function (e) {
        report(errorResult("payple-mock: the partner auth file failed: " + e), p.callback);
      });
    return;
  }
  start(obj);
};
