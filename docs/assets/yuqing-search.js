// The search of a served build over Pagefind's chunked index, in shards newest first: the header box
// (overrides/partials/yuqing-search.html) and the 查找 page (find.md) are two views of one searcher
// (``searcher`` below), sharing one index, so a reader downloads only the parts of the index a query needs,
// however large the register. Every text from the index is put in as text (textContent), never as HTML:
// record text may be hostile.
(function () {
  "use strict";
  var box = document.querySelector("[data-yq-search]");
  var finder = document.querySelector("[data-yq-find]");
  if (!box && !finder) return;
  var root = new URL((box || finder).getAttribute("data-root") || "./", window.location.href);
  var KIND = "类别";
  var KINDS = ["事件", "已撤销", "说明"];
  var SHARD = "分片";   // a filter each older shard's pages get when merged (not in the index)
  var IDLE = 1500;      // ms without typing after which the older shards are searched to the end
  var SLOW = 20000;     // ms after which a shard that has not answered is passed over
  var engine = null;    // a promise of the index: {first, older, parts, filters}, loaded on first use
  // The 查找 page's address names the chosen filters (find/?q=…&year=2025): the header box's Enter and its
  // link carry them over, and a search kept or sent keeps them. ASCII names, so an address stays readable.
  var PARAMS = { "等级": "level", "年份": "year", "领域": "category", "单位": "unit", "类别": "kind" };

  // The 查找 page's address for ``query`` and ``filters`` (filter name -> value), relative to ``base``.
  function findAddress(base, query, filters) {
    var address = new URL(base);
    if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
    Object.keys(PARAMS).forEach(function (name) {
      if (filters[name]) address.searchParams.set(PARAMS[name], filters[name]);
      else address.searchParams.delete(PARAMS[name]);
    });
    return address.href;
  }

  // Pagefind splits a query with the browser's word segmenter when the page's language is Chinese,
  // and the browser's words are not the index's (北湖县局 became 北湖县 + 局 and missed). The index
  // holds the words a reader types (site/search.py), so the query is taken as typed: an instance
  // is made while the page's language reads "und" (it is read once, when the instance is made).
  // In this page's thread, not Pagefind's web worker: a shard of 2,000 records searches in milliseconds,
  // the worker's script is not fetched before a first result, and a worker that failed (it did under load)
  // left its instance answering nothing.
  function instance(pagefind, options) {
    options = Object.assign({ noWorker: true }, options);
    var html = document.documentElement;
    var lang = html.getAttribute("lang");
    html.setAttribute("lang", "und");
    try {
      return pagefind.createInstance(options);
    } finally {
      if (lang === null) html.removeAttribute("lang"); else html.setAttribute("lang", lang);
    }
  }

  // The shards of the index, newest first (site/pagefind.py's yuqing-shards.json): each one's folder,
  // record count and year range, and the filters' values. An index without the list is one shard.
  function shardList(bundle) {
    return fetch(new URL("yuqing-shards.json", bundle).href).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (list) { return list || {}; }, function () { return {}; });
  }

  function load() {
    if (!engine) {
      var bundle = new URL("pagefind/", root);
      engine = Promise.all([import(new URL("pagefind.js", bundle).href), shardList(bundle)]).then(function (both) {
        var pagefind = both[0], list = both[1];
        var parts = list.parts || [{ path: "" }].concat((list.shards || []).map(function (path) { return { path: path }; }));
        parts.forEach(function (part, i) { part.index = i; });
        // Shard 0, the newest records and the guide pages, is searched alone: a first result needs its
        // entry, metadata and chunks only. The older shards are merged into a second instance as they
        // are needed, each pages marked with its number, so each is searched apart (the first of them
        // asked for is that instance's own).
        var first = instance(pagefind, { basePath: bundle.pathname, baseUrl: root.pathname });
        parts[0].ready = first.init().then(function () { return first; });
        return parts[0].ready.then(function () {
          return { pagefind: pagefind, bundle: bundle, parts: parts, older: null, filters: list.filters || null,
                   records: list.records || 0 };
        });
      });
    }
    return engine;
  }

  // The searcher of shard ``k`` (a promise): shard 0's own instance, or the older shards' one with it merged.
  function shard(index, k) {
    var part = index.parts[k];
    if (part.ready) return part.ready;
    var mark = {};
    mark[SHARD] = String(k);
    var path = new URL(part.path, index.bundle).pathname;
    if (!index.older) {
      var older = instance(index.pagefind, { basePath: path, baseUrl: root.pathname, mergeFilter: mark });
      index.older = older.init().then(function () { return older; });
      part.ready = index.older;
    } else {
      part.ready = index.older.then(function (older) {
        return older.mergeIndex(path, { baseUrl: root.pathname, language: "und", mergeFilter: mark }).then(function () {
          return older;
        });
      });
    }
    return part.ready;
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

  // Pagefind's excerpts of hand-written pages are HTML: read as inert text (a parsed document runs nothing).
  function plain(html) {
    return new DOMParser().parseFromString(html || "", "text/html").body.textContent || "";
  }

  // One result as the view's list item, in the view's classes (``look``): title, facts (date, level, status),
  // summary, each as text; a withdrawn record marked.
  function item(data, look) {
    var li = document.createElement("li");
    li.className = look.item;
    var link = document.createElement("a");
    link.className = look.link;
    link.href = data.url;
    if (look.tabIndex !== undefined) link.tabIndex = look.tabIndex;
    var article = document.createElement("article");
    article.className = look.article;
    var title = document.createElement(look.heading);
    title.className = look.title || "";
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
    text.className = look.text || "";
    text.textContent = (data.meta && data.meta["概要"]) || plain(data.excerpt);
    article.appendChild(text);
    // Withdrawn by the record's own filter, not by its title's last words (a title may end in "(已撤销)").
    var kinds = (data.filters && data.filters["类别"]) || [];
    if (kinds.indexOf("已撤销") >= 0) li.classList.add("yq-search-withdrawn");
    link.appendChild(article);
    li.appendChild(link);
    return li;
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
  // An id or a date as one run of letters and digits (YQ-2026-0000, 330102:YQ-2026-0000, 2026-04-14,
  // 20260414) is searched as that whole word only (Pagefind's exact search, in quotes): a shard without
  // it answers a plain search with every word that starts like it (all of its 2026 records).
  var WHOLE = /^(?=(?:[^A-Za-z0-9]*[A-Za-z0-9]){8})(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9:\-]*$/;
  function forms(query) {
    if (WHOLE.test(query)) return ['"' + query + '"'];
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

  // One shard's results for the first form of the query that finds anything in it, records that count
  // first, then withdrawn ones, then the guide pages (site/pagefind.py's 类别; only shard 0 has pages):
  // one search per kind, on the same index chunks. ``level`` is the last form tried: once a shard found
  // records with a form, older shards are searched with that form or stricter ones only (see advance).
  // Pagefind answers a word its index lacks with the longest word it holds that starts it (2026年4月 with
  // every 2026年), and leaves out of a query a word it lacks: right for one index, wrong for a shard that
  // lacks a word others hold. So with several shards each word of a form must be a word of the shard
  // (an exact search finds it), or the shard has nothing for that form.
  function searchShard(index, searcher, k, query, filters, level) {
    var kinds = k === 0 ? KINDS : KINDS.slice(0, 2);
    var mark = {};
    if (k > 0) mark[SHARD] = String(k);
    function holds(form) {
      if (index.parts.length < 2 || !form || /^"/.test(form)) return Promise.resolve(true);
      return Promise.all(form.split(" ").map(function (word) {
        return searcher.search('"' + word + '"', { filters: mark }).then(function (found) {
          return found.results.length > 0;
        });
      })).then(function (each) { return each.every(Boolean); });
    }
    function attempt(i) {
      var form = query.forms[i] || null;
      return holds(form).then(function (held) {
        if (!held) return [[], [], []];
        return Promise.all(kinds.map(function (kind) {
          if (filters[KIND] && filters[KIND] !== kind) return [];  // a kind chosen (查找 page): the others are empty
          var narrowed = Object.assign({}, filters, mark);
          narrowed[KIND] = kind;
          return searcher.search(form, { filters: narrowed }).then(function (found) { return found.results; });
        }));
      }).then(function (byKind) {
        var any = byKind.some(function (results) { return results.length; });
        if (any || i >= level) return { kinds: byKind, level: i };
        return attempt(i + 1);
      });
    }
    return attempt(0);
  }

  // The order in which shards are searched: with a year chosen, only the shards holding that year; an id
  // typed, the shard whose ids span it first; years named in the query (2019年, 2019-04-01, YQ-2019-0000),
  // their shards next; the rest newest first.
  // Ids compared as site/pagefind.py's id_order: namespace, prefix, then year and number by value
  // (number 10000 after 9999 of the same year), typed with or without hyphens.
  var ID = /^(.*?)([A-Za-z]+)[^A-Za-z0-9]*([0-9]{4})[^A-Za-z0-9]*([0-9]+)$/;
  function before(a, b) {  // a <= b
    var x = ID.exec(a), y = ID.exec(b);
    if (!x || !y) return String(a) <= String(b);
    var keys = [[x[1], y[1]], [x[2].toUpperCase(), y[2].toUpperCase()], [Number(x[3]), Number(y[3])],
                [Number(x[4]), Number(y[4])]];
    for (var i = 0; i < keys.length; i++) if (keys[i][0] !== keys[i][1]) return keys[i][0] < keys[i][1];
    return true;
  }
  function plan(index, query, filters) {
    var named = (query.match(/(?:19|20)\d\d/g) || []).map(Number);
    var id = WHOLE.test(query) ? query : "";
    var chosen = filters["年份"] ? [Number(filters["年份"])] : null;
    function holds(part, years) {
      return !part.years || !part.years.length || years.some(function (y) {
        return y >= part.years[0] && y <= part.years[1];
      });
    }
    // Guide pages chosen alone: only shard 0 has them.
    var parts = index.parts.filter(function (part, k) {
      return (!chosen || holds(part, chosen)) && (filters[KIND] !== KINDS[2] || k === 0);
    });
    var spans = id ? parts.filter(function (part) {
      return part.ids && part.ids.length && before(part.ids[0], id) && before(id, part.ids[1]);
    }) : [];
    var first = spans.concat(named.length ? parts.filter(function (part) {
      return spans.indexOf(part) < 0 && holds(part, named);
    }) : []);
    return first.concat(parts.filter(function (part) { return first.indexOf(part) < 0; })).map(function (part) {
      return part.index;
    });
  }

  function counted(parts) {
    return parts.reduce(function (sum, part) { return sum + (part.count || 0); }, 0);
  }

  // A view's searcher: ``view`` holds its elements (input, meta, list, more, moreButton, selects, filterBar,
  // and findLink for the header box), ``page`` results shown at a time, ``look`` its items' classes, ``empty``
  // and ``missing`` what it says with nothing typed and without an index. Searches the
  // plan's shards newest first until a page of results is found, then the rest after a pause or on demand;
  // says "至少 N 个" until every shard is read.
  function searcher(view) {
    var run = null;       // the current search (see search())
    var serial = 0;       // the newest search; older answers are dropped
    var idle = 0;
    var meta = view.meta, list = view.list, more = view.more, moreButton = view.moreButton;

    function chosenFilters() {
      var chosen = {};
      view.selects.forEach(function (select) {
        if (select.value) chosen[select.getAttribute("data-filter")] = select.value;
      });
      return chosen;
    }

    // The filters' values come with the shard list (every shard's, counted at build time): no filter file of
    // any shard is fetched for them. An index without the list gives shard 0's own. A select whose values are
    // written in the page (类别) keeps them.
    function fillFilters(index) {
      var bar = view.filterBar;
      if (bar.filled) return bar.filled;
      var all = index.filters ? Promise.resolve(index.filters) : index.parts[0].ready.then(function (first) {
        return first.filters();
      });
      bar.filled = all.then(function (all) {
        view.selects.forEach(function (select) {
          var name = select.getAttribute("data-filter");
          if (select.hasAttribute("data-fixed")) return;
          var values = Object.keys(all[name] || {});
          values.sort(order(name));
          values.forEach(function (value) {
            var option = document.createElement("option");
            option.value = value;
            option.textContent = value;
            select.appendChild(option);
          });
        });
        bar.hidden = false;
      });
      return bar.filled;
    }

    // What is shown: records (in the order their shards were searched), withdrawn ones, guide pages.
    function found(state) {
      return state.records.concat(state.withdrawn, state.pages);
    }

    function say(state) {
      var index = state.index;
      var total = found(state).length;
      var left = state.plan.length - state.next;
      if (!left) {
        meta.textContent = total ? "找到 " + total + " 个结果" : "没有找到符合条件的结果";
        return;
      }
      var searched = counted(state.plan.slice(0, state.next).map(function (k) { return index.parts[k]; }));
      var all = counted(state.plan.map(function (k) { return index.parts[k]; }));
      var scope = searched && all ? "(已搜索 " + searched + " / " + all + " 个事件)" : "";
      if (state.busy && !state.next) {
        meta.textContent = "正在搜索…";
      } else if (state.busy) {
        meta.textContent = (total ? "已找到 " + total + " 个结果," : "较新的记录中没有找到,") + "正在搜索更早的记录…" + scope;
      } else {
        meta.textContent = "找到至少 " + total + " 个结果" + scope + ",更早的记录在显示更多时继续搜索";
      }
    }

    // The first ``state.limit`` results in the list (their fragments fetched once each), and the button for more.
    function render(state) {
      var shown = found(state).slice(0, state.limit);
      return Promise.all(shown.map(function (result) {
        if (!result.node) result.node = result.data().then(function (data) { return item(data, view.look); });
        return result.node;
      })).then(function (nodes) {
        if (state !== run) return;
        var same = nodes.length === list.children.length && nodes.every(function (node, i) {
          return list.children[i] === node;
        });
        if (!same) {
          list.textContent = "";
          nodes.forEach(function (node) { list.appendChild(node); });
        }
        more.hidden = !nodes.length && !state.busy && state.next >= state.plan.length;
        var later = state.next < state.plan.length;
        moreButton.hidden = found(state).length <= state.limit && !later;
        moreButton.textContent = found(state).length > state.limit ? "显示更多结果" : "搜索更早的记录";
      });
    }

    // Searches the next shards of the plan until ``state.limit`` results are found (or all of them, when
    // ``state.eager``), showing what each brings as it comes.
    function advance(state) {
      if (state.busy || state !== run) return state.busy || Promise.resolve();
      if (state.next >= state.plan.length || (!state.eager && found(state).length >= state.limit)) {
        say(state);
        return render(state);
      }
      var k = state.plan[state.next];
      var searched = shard(state.index, k).then(function (searcher) {
        return searchShard(state.index, searcher, k, state.query, state.filters, state.level);
      });
      // A shard that cannot be read (Pagefind then waits for it forever) is passed over after a while.
      var late = new Promise(function (_, reject) { setTimeout(reject, SLOW); });
      state.busy = Promise.race([searched, late]).catch(function () {
        return { kinds: [[], [], []], level: state.level };
      }).then(function (answer) {
        if (state !== run) return;
        // Records (not guide pages alone) fix the form: 二季度's pieces find a guide page in shard 0 only.
        if (answer.kinds[0].length || answer.kinds[1].length) state.level = answer.level;
        state.records = state.records.concat(answer.kinds[0]);
        state.withdrawn = state.withdrawn.concat(answer.kinds[1]);
        state.pages = state.pages.concat(answer.kinds[2] || []);
        state.next += 1;
        state.busy = null;
        say(state);
        return render(state).then(function () {
          if (state.next === 1) fillFilters(state.index);  // after the first results, not before
          return advance(state);
        });
      });
      say(state);
      return state.busy;
    }

    function search() {
      var query = view.input.value.trim();
      var filters = chosenFilters();
      var mine = ++serial;
      clearTimeout(idle);
      if (view.findLink) view.findLink.href = findAddress(new URL("find/", root), query, filters);
      if (view.changed) view.changed(query, filters);
      if (!query && !Object.keys(filters).length) {
        run = null;
        list.textContent = "";
        more.hidden = true;
        meta.textContent = view.empty;
        return;
      }
      load().then(function (index) {
        if (mine !== serial) return;
        var queries = forms(query);
        run = { index: index, query: { text: query, forms: queries }, filters: filters, plan: plan(index, query, filters),
                next: 0, level: queries.length - 1, records: [], withdrawn: [], pages: [], limit: view.page,
                busy: null, eager: false };
        // The previous results stay until the first shard answers (no flash of an empty list).
        var state = run;
        advance(state).then(function () {
          // A pause after the first results: the older shards are searched to the end, so the count is whole.
          idle = setTimeout(function () {
            if (state !== run) return;
            state.eager = true;
            advance(state);
          }, IDLE);
        });
      }, function () {
        meta.textContent = view.missing;
      });
    }

    function showMore() {
      var state = run;
      if (!state) return;
      state.limit += view.page;
      if (found(state).length >= state.limit || state.busy) render(state);
      else advance(state);
    }

    var timer = 0;
    view.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    view.selects.forEach(function (select) { select.addEventListener("change", search); });
    moreButton.addEventListener("click", showMore);
    return { search: search, showMore: showMore, fillFilters: fillFilters, chosenFilters: chosenFilters };
  }

  var MISSING = "此版本没有生成搜索索引(构建时未安装 Pagefind,或插件选项 pagefind: off),请按“事件索引”中的年月、等级、单位等列表查找。";

  // The 查找 page (find.md): more room, every filter, the query of the header box's Enter (?q=). The index is
  // read when the page opens (the shard list and the newest shard's entry): its note for a build without
  // one goes only then.
  if (finder) (function () {
    var bar = finder.querySelector(".yq-find-filters");
    var view = {
      input: finder.querySelector(".pagefind-ui__search-input"), meta: finder.querySelector(".pagefind-ui__message"),
      list: finder.querySelector(".pagefind-ui__results"), more: finder.querySelector(".yq-find-more"),
      filterBar: bar, selects: Array.prototype.slice.call(bar.querySelectorAll("select")), page: 20,
      empty: "", missing: "",
      look: { item: "pagefind-ui__result", link: "pagefind-ui__result-link", article: "pagefind-ui__result-inner",
              heading: "p", title: "pagefind-ui__result-title", text: "pagefind-ui__result-excerpt" }
    };
    view.moreButton = view.more.querySelector("button");
    // The query and the filters in the address, so a search can be kept or sent (replaced: no history
    // entry per key).
    view.changed = function (query, filters) {
      window.history.replaceState(null, "", findAddress(window.location.href, query, filters));
    };
    var found = searcher(view);
    var form = finder.querySelector("form");
    form.addEventListener("submit", function (event) { event.preventDefault(); found.search(); });
    view.input.addEventListener("input", function () {
      view.changed(view.input.value.trim(), found.chosenFilters());
    });
    // What the address asks for (the header box's Enter): the query at once, the filters once their
    // values are in the selects (a value the register does not hold is still shown as chosen).
    var asked = new URLSearchParams(window.location.search);
    var query = asked.get("q");
    var wanted = view.selects.filter(function (select) {
      return asked.get(PARAMS[select.getAttribute("data-filter")]);
    });
    if (query) view.input.value = query;
    load().then(function (index) {
      var note = document.getElementById("yq-find-fallback");
      if (note) note.hidden = true;
      finder.hidden = false;
      return found.fillFilters(index);
    }).then(function () {
      wanted.forEach(function (select) {
        var value = asked.get(PARAMS[select.getAttribute("data-filter")]);
        var known = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
        if (!known) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          select.appendChild(option);
        }
        select.value = value;
      });
      if (wanted.length) found.search();
    }, function () { /* no index in this build: the note stays */ });
    if (query && !wanted.length) found.search();
  })();

  if (!box) return;
  var toggle = document.getElementById("__search");
  if (!toggle) return;
  var input = box.querySelector(".md-search__input");
  var form = box.querySelector(".md-search__form");
  var list = box.querySelector(".md-search-result__list");
  var more = box.querySelector(".yq-search-more");
  var filterBar = box.querySelector(".yq-search-filters");
  var scrollwrap = box.querySelector(".md-search__scrollwrap");
  var header = searcher({
    input: input, meta: box.querySelector(".md-search-result__meta"), list: list, more: more,
    moreButton: more.querySelector("button"), findLink: more.querySelector("a"), filterBar: filterBar,
    selects: Array.prototype.slice.call(filterBar.querySelectorAll("select")), page: 10,
    empty: "键入以开始搜索", missing: MISSING,
    look: { item: "md-search-result__item", link: "md-search-result__link", tabIndex: -1,
            article: "md-search-result__article md-typeset", heading: "h1" }
  });
  var moreButton = more.querySelector("button");

  function open() {
    toggle.checked = true;
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  input.addEventListener("focus", function () { open(); load().catch(function () {}); });
  // Scrolled to the end of the results: the next ten (from older shards if need be), as if asked for.
  scrollwrap.addEventListener("scroll", function () {
    if (!more.hidden && !moreButton.hidden &&
        scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 8) header.showMore();
  });
  form.addEventListener("reset", function () { setTimeout(header.search, 0); });
  // Enter opens the 查找 page with the query and the filters chosen here (the form alone sends the query).
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.location.href = findAddress(new URL(form.getAttribute("action"), window.location.href),
                                       input.value.trim(), header.chosenFilters());
  });
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
