/* The publishing desk, with JavaScript (every form works without it):
   - a live preview beside each Markdown field, rendered by the hub as its public page renders it;
   - a filter box over a long list of checkboxes;
   - text fields take the language chosen for a new version;
   - a warning before leaving a form whose changes are not saved. */
(function () {
  "use strict";

  var QUIET = 400; // milliseconds without typing before a preview is asked for

  function direction(lang) {
    return lang === "ar" ? "rtl" : "ltr";
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function livePreview(form, area) {
    var token = form.querySelector("input[name=csrf_token]");
    var box = document.createElement("div");
    var label = document.createElement("p");
    var body = document.createElement("div");
    var pair = document.createElement("div");
    var timer = null;
    var asked = 0;
    box.className = "live-preview";
    box.id = area.id + "-preview";
    label.className = "live-preview-label";
    label.textContent = form.dataset.previewLabel;
    label.id = box.id + "-label";
    // A box that scrolls is reached by keyboard too, and named after its field: "Preview Body".
    var named = form.querySelector('label[for="' + area.id + '"]');
    if (named && !named.id) {
      named.id = area.id + "-label";
    }
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", label.id + (named ? " " + named.id : ""));
    body.className = "body";
    box.append(label, body);
    pair.className = "side-by-side";
    area.parentNode.insertBefore(pair, area);
    pair.append(area, box);

    function render() {
      var data = new FormData();
      var mine = ++asked;
      if (token) {
        data.append("csrf_token", token.value);
      }
      data.append("text", area.value);
      fetch(form.dataset.preview, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "error" // signed out meanwhile: keep the last preview
      })
        .then(function (answer) {
          return answer.text().then(function (html) {
            // A text the hub cannot take says why; any other refusal keeps the last preview.
            return answer.ok || html.indexOf('<p class="preview-problem">') === 0 ? html : null;
          });
        })
        .then(function (html) {
          if (html === null || mine !== asked) {
            return; // refused, or a later preview is on its way
          }
          body.lang = area.lang;
          body.dir = direction(area.lang);
          body.innerHTML = html; // rendered and sanitized by the hub (hub/markdown.py)
        })
        .catch(function () {});
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, QUIET);
    });
    if (area.value) {
      render();
    }
  }

  function filterBox(fieldset) {
    var input = document.createElement("input");
    var items = fieldset.querySelectorAll("li");
    input.type = "search";
    input.className = "filter";
    input.placeholder = fieldset.dataset.filter;
    input.setAttribute("aria-label", fieldset.dataset.filter);
    input.addEventListener("input", function () {
      var wanted = fold(input.value);
      items.forEach(function (item) {
        var checked = item.querySelector("input").checked;
        item.hidden = wanted !== "" && !checked && fold(item.textContent).indexOf(wanted) < 0;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // filtering, not saving
      }
    });
    fieldset.querySelector("legend").after(input);
  }

  function followLanguage(form) {
    var select = form.querySelector("select[name=language]");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      form.querySelectorAll("[data-edit-lang], .live-preview .body").forEach(function (element) {
        element.lang = select.value;
      });
      form.querySelectorAll(".live-preview .body").forEach(function (element) {
        element.dir = direction(select.value);
      });
    });
  }

  function warnBeforeLeaving(form) {
    var changed = false;
    function note(event) {
      if (event.target.name) {
        changed = true;
      }
    }
    form.addEventListener("input", note);
    form.addEventListener("change", note);
    form.addEventListener("submit", function () {
      changed = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  var problems = document.getElementById("error-summary");
  if (problems) {
    problems.tabIndex = -1;
    problems.focus(); // read first, and its links lead to the fields
  }
  document.querySelectorAll("form.desk").forEach(function (form) {
    form.querySelectorAll("textarea[data-markdown]").forEach(function (area) {
      livePreview(form, area);
    });
    form.querySelectorAll("fieldset[data-filter]").forEach(filterBox);
    followLanguage(form);
    warnBeforeLeaving(form);
  });
})();
