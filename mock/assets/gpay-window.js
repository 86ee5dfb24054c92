// paypleGpayPaymentRequest(obj): the international window.
window.paypleGpayPaymentRequest = function (obj) {
  start(obj);
};
