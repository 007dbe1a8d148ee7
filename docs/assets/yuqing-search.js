// The header search box of a served build (overrides/partials/yuqing-search.html): Pagefind's chunked
// index, so a reader downloads only the parts of the index a query needs, however large the register.
// Every text from the index is put in as text (textContent), never as HTML: record text may be hostile.
(function () {
  "use strict";
  var box = document.querySelector("[data-yq-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var input = box.querySelector(".md-search__input");
  var form = box.querySelector(".md-search__form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var more = box.querySelector(".yq-search-more");
  var moreButton = more.querySelector("button");
  var findLink = more.querySelector("a");
  var filterBar = box.querySelector(".yq-search-filters");
  var selects = Array.prototype.slice.call(filterBar.querySelectorAll("select"));
  var root = new URL(box.getAttribute("data-root") || "./", window.location.href);
  var PAGE = 10;
  var KIND = "类别";
  var KINDS = ["事件", "已撤销", "说明"];
  var engine = null;    // a promise of Pagefind's module, loaded on first use
  var shown = null;     // the current search: {results, next}
  var serial = 0;       // the newest search; older answers are dropped
  var timer = 0;

  // The folders of the index's other shards, relative to its first (none on a small register).
  function shards(bundle) {
    return fetch(new URL("yuqing-shards.json", bundle).href).then(function (response) {
      return response.ok ? response.json() : { shards: [] };
    }).then(function (list) { return list.shards || []; }, function () { return []; });
  }

  function load() {
    if (!engine) {
      var bundle = new URL("pagefind/", root);
      engine = import(new URL("pagefind.js", bundle).href).then(function (pagefind) {
        // Pagefind splits a query with the browser's word segmenter when the page's language is Chinese,
        // and the browser's words are not the index's (北湖县局 became 北湖县 + 局 and missed). The index
        // holds the words a reader types (site/search.py), so the query is taken as typed: the instance
        // is made while the page's language reads "und" (it is read once, when the instance is made).
        var html = document.documentElement;
        var lang = html.getAttribute("lang");
        html.setAttribute("lang", "und");
        try {
          var instance = pagefind.createInstance({ basePath: bundle.pathname, baseUrl: root.pathname });
        } finally {
          if (lang === null) html.removeAttribute("lang"); else html.setAttribute("lang", lang);
        }
        // The other shards of a large register (site/pagefind.py): merged into this search, each loading
        // its entry and meta now and only the chunks a query needs later.
        return instance.init().then(function () { return shards(bundle); }).then(function (others) {
          return Promise.all(others.map(function (shard) {
            return instance.mergeIndex(new URL(shard, bundle).pathname, { baseUrl: root.pathname, language: "und" });
          }));
        }).then(function () { return instance; });
      });
      engine.catch(function () {
        meta.textContent = "此版本没有生成搜索索引(构建时未安装 Pagefind,或插件选项 pagefind: off),请按“事件索引”中的年月、等级、单位等列表查找。";
      });
    }
    return engine;
  }

  function chosenFilters() {
    var chosen = {};
    selects.forEach(function (select) {
      if (select.value) chosen[select.getAttribute("data-filter")] = select.value;
    });
    return chosen;
  }

  // Levels least to most severe (yuqing.model.LEVELS), years newest first, the rest in pinyin order.
  var LEVELS = ["一般", "敏感", "重大", "特别重大"];
  function order(filter) {
    if (filter === "年份") return function (a, b) { return b.localeCompare(a); };
    if (filter === "等级") {
      return function (a, b) {
        var i = LEVELS.indexOf(a), j = LEVELS.indexOf(b);
        return (i < 0 ? LEVELS.length : i) - (j < 0 ? LEVELS.length : j) || a.localeCompare(b, "zh");
      };
    }
    return function (a, b) { return a.localeCompare(b, "zh"); };
  }

  function fillFilters(pagefind) {
    if (filterBar.getAttribute("data-filled")) return;
    filterBar.setAttribute("data-filled", "1");
    pagefind.filters().then(function (all) {
      selects.forEach(function (select) {
        var values = Object.keys(all[select.getAttribute("data-filter")] || {});
        values.sort(order(select.getAttribute("data-filter")));
        values.forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          select.appendChild(option);
        });
      });
      filterBar.hidden = false;
    });
  }

  // Pagefind's excerpts of hand-written pages are HTML: read as inert text (a parsed document runs nothing).
  function plain(html) {
    return new DOMParser().parseFromString(html || "", "text/html").body.textContent || "";
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    link.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    var words = (data.meta && data.meta.title) || data.url;
    title.textContent = words;
    article.appendChild(title);
    if (data.meta && data.meta["概况"]) {
      var facts = document.createElement("p");
      facts.className = "yq-search-facts";
      facts.textContent = data.meta["概况"];
      article.appendChild(facts);
    }
    var text = document.createElement("p");
    text.textContent = (data.meta && data.meta["概要"]) || plain(data.excerpt);
    article.appendChild(text);
    if (/(已撤销)$/.test(words)) li.classList.add("yq-search-withdrawn");
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }

  function showNext(mine) {
    var page = shown.results.slice(shown.next, shown.next + PAGE);
    shown.next += page.length;
    return Promise.all(page.map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== serial) return;
      data.forEach(function (d) { list.appendChild(item(d)); });
      more.hidden = false;
      moreButton.hidden = shown.next >= shown.results.length;
    });
  }

  // The index holds whole words and their parts as readers type them (site/search.py), matched from
  // their start; Pagefind matches a long Chinese word it does not hold by a shorter start of it
  // (中学食堂 found every 中学). So a run of three or more Chinese characters is first searched as its
  // overlapping two-character pieces (中学 学食 食堂: every piece of a title, tag, unit, category,
  // level or status is in the index, and all must match), then as typed, then as the browser's words
  // (中学 食堂, in any text), then as pieces side by side. The first form that finds anything is shown.
  // A number or letter run just before the Chinese keeps its number word (50分钟以上: 50分钟, then the
  // pieces), as the index holds it (3C认证, 50分钟, 67人; site/search.py's latin_words).
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff]{3,}/;
  var HAN_RUNS = /([A-Za-z0-9]*)([\u3400-\u4dbf\u4e00-\u9fff]{3,})/g;
  function pieces(query, step) {
    return query.replace(HAN_RUNS, function (all, latin, run) {
      var found = latin ? [latin + run.slice(0, 2)] : [];
      for (var i = 0; i + 2 <= run.length; i += step) found.push(run.slice(i, i + 2));
      if (step === 2 && run.length % 2) found.push(run.slice(-2));
      return " " + found.join(" ") + " ";
    }).replace(/\s+/g, " ").trim();
  }
  function forms(query) {
    if (!query || !HAN.test(query)) return [query];
    var found = [pieces(query, 1), query];
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      var words = [];
      var segmenter = new Intl.Segmenter("zh", { granularity: "word" });
      for (var part of segmenter.segment(query)) if (part.isWordLike) words.push(part.segment);
      found.push(words.join(" "));
    }
    found.push(pieces(query, 2));
    return found.filter(function (form, i) { return form && found.indexOf(form) === i; });
  }

  // Records that count first, then withdrawn ones, then the guide pages (site/pagefind.py's 类别):
  // one search per kind, on the same index chunks.
  function searchKinds(pagefind, query, filters) {
    return Promise.all(KINDS.map(function (kind) {
      var narrowed = Object.assign({}, filters);
      narrowed[KIND] = kind;
      return pagefind.search(query || null, { filters: narrowed });
    })).then(function (founds) {
      return [].concat.apply([], founds.map(function (found) { return found.results; }));
    });
  }

  function searchAll(pagefind, queries, filters) {
    return searchKinds(pagefind, queries[0], filters).then(function (results) {
      return results.length || queries.length < 2 ? results : searchAll(pagefind, queries.slice(1), filters);
    });
  }

  function search() {
    var query = input.value.trim();
    var filters = chosenFilters();
    var mine = ++serial;
    findLink.href = new URL("find/?q=" + encodeURIComponent(query), root).href;
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      more.hidden = true;
      meta.textContent = "键入以开始搜索";
      return;
    }
    load().then(function (pagefind) {
      return searchAll(pagefind, forms(query), filters).then(function (results) {
        if (mine !== serial) return;
        list.textContent = "";
        shown = { results: results, next: 0 };
        meta.textContent = results.length ? "找到 " + results.length + " 个结果" : "没有找到符合条件的结果";
        more.hidden = true;
        // The filter lists are fetched after the first results are shown, not before.
        return (results.length ? showNext(mine) : Promise.resolve()).then(function () { fillFilters(pagefind); });
      });
    });
  }

  function open() {
    toggle.checked = true;
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  input.addEventListener("focus", function () { open(); load(); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  selects.forEach(function (select) { select.addEventListener("change", search); });
  moreButton.addEventListener("click", function () { showNext(serial); });
  form.addEventListener("reset", function () { setTimeout(search, 0); });
  toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (toggle.checked && event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (!typing(event.target) && (event.key === "/" || event.key === "s" || event.key === "f")) {
      event.preventDefault();
      open();
      input.focus();
      input.select();
      return;
    }
    // Up and down move through the results; Enter on one follows it (the browser's own link handling).
    if (toggle.checked && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var links = Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link"));
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      event.preventDefault();
      if (next < 0) input.focus();
      else links[Math.min(next, links.length - 1)].focus();
    }
  });
})();
