// The offline build's search (file://, the theme's whole lunr index; overrides/partials/header.html loads this
// before the theme's own script). lunr takes the words of a query as alternatives: "北湖县 食品" listed every
// record of 北湖县 and every food record. The served box requires every word; so does this one: the query is
// rewritten on its way to the theme's search worker, the box still shows what the reader typed.
// A season after a year (2026年春) becomes that year and that season (2026年 and 春季, both in every record's
// words: site/search.py's date_words), so the spring's records come, not every record of the year.
(function () {
  "use strict";
  var Base = window.Worker;  // the iframe-worker shim's on file://, the browser's otherwise
  if (!Base) return;
  var QUERY = 2;             // the theme's message type for a query (its worker answers with type 3)
  var SEASON = /^(\d{4})年?(春|夏|秋|冬)季?$/;
  // An id (letters, year, number; typed with or without hyphens; a city build's after its area code): the
  // theme splits it at its hyphens into three words, any of which matched, so every record of the year came
  // after it. Every record's words hold the id without hyphens (site/search.py's id_words): that whole word is
  // required; an id's start (a number shorter than an id's four digits) is required as that word's start.
  // (No example id here: this file ships in the site, where the leak check reads every id.)
  var ID = /^(?:\d+:)?([A-Za-z][A-Za-z0-9]*-\d{4}-\d+|[A-Za-z]+\d{5,})$/;
  var WHOLE_ID = /-\d{4}-\d{4,}$|^[A-Za-z]+\d{8,}$/;

  function everyWord(query) {
    var text = String(query).trim();
    var id = ID.exec(text);
    if (id) return "+" + id[1].replace(/-/g, "") + (WHOLE_ID.test(id[1]) ? "" : "*");
    // lunr's own syntax typed on purpose (+word, -word, word*, field:word): left alone.
    if (!text || /[+\-*:~^]/.test(text)) return query;
    var season = SEASON.exec(text);
    if (season) return "+" + season[1] + "年 +" + season[2] + "季";
    var words = text.split(/\s+/);
    if (words.length < 2) return query;
    return words.map(function (word) { return "+" + word; }).join(" ");
  }

  function Rewriting(url, options) {
    var worker = new Base(url, options);
    var post = worker.postMessage;
    worker.postMessage = function (message) {
      if (message && message.type === QUERY && typeof message.data === "string") {
        message = { type: QUERY, data: everyWord(message.data) };
      }
      var rest = Array.prototype.slice.call(arguments, 1);
      return post.apply(worker, [message].concat(rest));
    };
    return worker;
  }
  Rewriting.prototype = Base.prototype;
  window.Worker = Rewriting;
})();
