/*
 * loadwatch: drag-and-drop import without holding the file in memory.
 *
 * dcc.Upload reads a whole file into the page as base64, which a 2 GB Garmin
 * export would not survive. Instead each dropped (or chosen) file is sliced
 * into chunks that are POSTed one after another to the server, which appends
 * them to a file on disk. When every file has arrived, the Dash store
 * "upload-done" is set and a background callback runs the importer.
 */
(function () {
  "use strict";
  var ZONE_ID = "upload-zone";
  var INPUT_ID = "upload-input";
  var CHUNK_BYTES = 4 * 1024 * 1024;
  var busy = false;

  function zone() { return document.getElementById(ZONE_ID); }

  function setProps(id, props) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, props);
    }
  }

  function newToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // React owns the zone's children; the file input is ours, so re-add it if a re-render drops it.
  function ensureInput() {
    var z = zone();
    if (!z || document.getElementById(INPUT_ID)) { return; }
    var input = document.createElement("input");
    input.type = "file";
    input.id = INPUT_ID;
    input.multiple = true;
    input.accept = ".fit,.gpx,.tcx,.gz,.zip,.FIT,.GPX,.TCX,.ZIP";
    z.appendChild(input);
  }

  function inZone(target) {
    return target && target.closest && target.closest("#" + ZONE_ID);
  }

  function sendChunk(url, token, file, offset, final) {
    var body = file.slice(offset, offset + CHUNK_BYTES);
    return fetch(url + token, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/octet-stream",
        "X-Upload-Name": encodeURIComponent(file.name),
        "X-Upload-Offset": String(offset),
        "X-Upload-Final": final ? "1" : "0"
      },
      body: body
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error(text || ("upload failed (" + response.status + ")"));
        });
      }
      return response.json();
    });
  }

  async function uploadFiles(fileList) {
    var z = zone();
    if (!z || busy || !fileList || !fileList.length) { return; }
    busy = true;
    var url = z.getAttribute("data-upload-url");
    var token = newToken();
    var files = Array.prototype.slice.call(fileList);
    var total = files.reduce(function (n, f) { return n + f.size; }, 0);
    var sent = 0;
    var names = [];
    try {
      for (var i = 0; i < files.length; i++) {
        var file = files[i];
        var offset = 0;
        do {
          var final = offset + CHUNK_BYTES >= file.size;
          await sendChunk(url, token, file, offset, final);
          var step = Math.min(CHUNK_BYTES, file.size - offset);
          offset += CHUNK_BYTES;
          sent += step;
          setProps("upload-progress", {
            children: "Uploading " + file.name + ": " +
              Math.round(100 * sent / Math.max(total, 1)) + "%"
          });
        } while (offset < file.size);
        names.push(file.name);
      }
      setProps("upload-progress", {children: "Uploaded " + names.length + " file(s); importing…"});
      setProps("upload-done", {data: {token: token, files: names, bytes: total, at: Date.now()}});
    } catch (err) {
      setProps("upload-progress", {children: "Upload failed: " + err.message});
    } finally {
      busy = false;
      var input = document.getElementById(INPUT_ID);
      if (input) { input.value = ""; }
    }
  }

  document.addEventListener("dragover", function (e) {
    if (inZone(e.target)) { e.preventDefault(); zone().classList.add("dragging"); }
  });
  document.addEventListener("dragleave", function (e) {
    if (inZone(e.target)) { zone().classList.remove("dragging"); }
  });
  document.addEventListener("drop", function (e) {
    if (!inZone(e.target)) { return; }
    e.preventDefault();
    zone().classList.remove("dragging");
    uploadFiles(e.dataTransfer.files);
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === INPUT_ID) { uploadFiles(e.target.files); }
  });
  new MutationObserver(ensureInput).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", ensureInput);
})();
