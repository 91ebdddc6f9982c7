/* The gate page: read QR codes with the camera (jsQR on a canvas), submit what was read,
   and make the form ready for the next person after each answer. Without this script (or
   without a camera) the page still works: type or scan with a hardware scanner and submit. */
(function () {
  "use strict";

  var SAME_CODE_PAUSE_MS = 4000; // a code held in front of the camera is decided once
  var SCAN_EVERY_MS = 120;
  var MAX_WIDTH = 640;
  var stream = null;
  var scanning = false;
  var waiting = false; // a decision is on its way: read nothing until it is shown
  var lastCode = "";
  var lastAt = 0;

  function byId(id) {
    return document.getElementById(id);
  }

  function say(text) {
    var status = byId("gate-scan-status");
    if (status) status.textContent = text || "";
  }

  function message(key) {
    var scanner = byId("gate-scanner");
    return scanner ? scanner.dataset[key] || "" : "";
  }

  function submitCode(text) {
    var form = byId("gate-form");
    if (!form) return;
    form.elements.code.value = text;
    waiting = true;
    say(message("read"));
    var check = byId("gate-check");
    if (form.requestSubmit) form.requestSubmit(check);
    else check.click();
  }

  function tick() {
    if (!scanning) return;
    var video = byId("gate-video");
    var canvas = byId("gate-canvas");
    if (!waiting && video && canvas && video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, width, height);
      var image = context.getImageData(0, 0, width, height);
      var found = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
      if (found && found.data) {
        var text = found.data.trim();
        var now = Date.now();
        if (text && (text !== lastCode || now - lastAt > SAME_CODE_PAUSE_MS)) {
          lastCode = text;
          lastAt = now;
          submitCode(text);
        }
      }
    }
    window.setTimeout(tick, SCAN_EVERY_MS);
  }

  function start() {
    var video = byId("gate-video");
    say(message("looking"));
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        byId("gate-camera").hidden = false;
        byId("gate-scan-start").hidden = true;
        return video.play();
      })
      .then(function () {
        scanning = true;
        tick();
      })
      .catch(function () {
        stop();
        say(message("noCamera"));
      });
  }

  function stop() {
    scanning = false;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    var video = byId("gate-video");
    if (video) video.srcObject = null;
    byId("gate-camera").hidden = true;
    byId("gate-scan-start").hidden = false;
    say("");
  }

  function ready(form, succeeded) {
    // The next person: an empty code (and temperature) after an answer; keep what was
    // typed when a field must be corrected.
    waiting = false;
    if (succeeded) {
      form.elements.code.value = "";
      form.elements.temperature.value = "";
      say(scanning ? message("looking") : "");
    }
    if (!scanning) form.elements.code.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = byId("gate-form");
    if (!form) return;
    var scanner = byId("gate-scanner");
    if (scanner && window.jsQR && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      scanner.hidden = false;
      byId("gate-scan-start").addEventListener("click", start);
      byId("gate-scan-stop").addEventListener("click", stop);
    }
    // A household member's button sends their person number; any other submit (the Check
    // button, Enter, a scan) must not carry one left over from an earlier click.
    form.addEventListener("htmx:configRequest", function (event) {
      var trigger = event.detail.triggeringEvent;
      var submitter = trigger && trigger.submitter;
      if (!submitter || submitter.name !== "person_number") {
        delete event.detail.parameters.person_number;
      }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form) return;
      ready(form, event.detail.successful);
    });
  });
})();
