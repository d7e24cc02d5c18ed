// Suggestions as one types in the header search box: an ARIA 1.2 combobox with a listbox.
// A progressive enhancement: without this file the box is a plain search field, and with it
// pressing Enter without choosing a suggestion still submits the search form.
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_CHARS = 2;

  function setUp(input) {
    var form = input.form;
    var data = input.dataset;
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [];
    var active = -1;
    var timer = null;
    var sequence = 0;
    var pending = null;
    var lastAsked = null;

    list.id = listId;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", data.suggestLabel);
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("site-search--suggest");
    form.appendChild(list);
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    function announce(count) {
      var text = count === 0 ? data.suggestNone
        : count === 1 ? data.suggestOne
        : data.suggestMany.replace("{count}", String(count));
      status.textContent = text;
    }

    function setActive(index) {
      if (active >= 0 && list.children[active]) {
        list.children[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = list.children[index];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function close() {
      setActive(-1);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      // Kept inside the window: opened towards the left when it would overflow on the right.
      list.classList.remove("suggest--end");
      if (list.getBoundingClientRect().right > document.documentElement.clientWidth) {
        list.classList.add("suggest--end");
      }
    }

    function follow(index) {
      window.location.assign(items[index].url);
    }

    function render(suggestions) {
      items = suggestions;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.textContent = "";
      suggestions.forEach(function (item, index) {
        var option = document.createElement("li");
        var label = document.createElement("span");
        var kind = document.createElement("span");
        option.id = listId + "-" + index;
        option.className = "suggest__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        label.className = "suggest__label";
        label.textContent = item.label;
        if (item.lang && item.lang !== document.documentElement.lang) {
          label.lang = item.lang;
        }
        kind.className = "suggest__kind";
        kind.textContent = item.kind_label;
        var pause = document.createElement("span");
        pause.className = "visually-hidden";
        pause.textContent = ", ";  // read as "Mexico, Country"
        option.appendChild(label);
        option.appendChild(pause);
        option.appendChild(kind);
        option.addEventListener("click", function () { follow(index); });
        list.appendChild(option);
      });
      if (suggestions.length) open(); else close();
      announce(suggestions.length);
    }

    function ask() {
      var text = input.value.trim();
      if (text === lastAsked) {
        if (items.length) open();
        return;
      }
      if (text.length < MIN_CHARS) {
        sequence++;  // an answer still on its way is for a longer text: ignored
        if (pending) pending.abort();
        lastAsked = null;
        items = [];
        list.textContent = "";
        close();
        status.textContent = "";
        return;
      }
      var mine = ++sequence;
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = data.suggestUrl + "?q=" + encodeURIComponent(text);
      fetch(url, {
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (body) {
          // A slower answer to an earlier prefix must not replace a newer one.
          if (mine !== sequence || input.value.trim() !== text) return;
          lastAsked = text;
          render(body.suggestions || []);
        })
        .catch(function () { /* no suggestions: the form still searches */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          if (!items.length) return;
          event.preventDefault();
          if (!expanded) {
            open();
            if (!event.altKey) setActive(0);
          } else {
            setActive(active + 1 < items.length ? active + 1 : 0);
          }
          break;
        case "ArrowUp":
          if (!items.length) return;
          event.preventDefault();
          if (!expanded) open();
          setActive(active > 0 ? active - 1 : items.length - 1);
          break;
        case "Enter":
          if (expanded && active >= 0) {
            event.preventDefault();
            follow(active);
          }
          break;
        case "Escape":
          if (expanded) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    // A click on an option must not take the focus from the input first.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch) return;
    document.querySelectorAll("input[data-suggest-url]").forEach(setUp);
  });
})();
