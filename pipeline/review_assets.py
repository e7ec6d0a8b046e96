"""The review page's inline stylesheet and script (no network: everything is inline)."""

# Highlight background and panel edge colour of each kind of record.
COLORS = {
    "report": ("#eaeef2", "#8c959f"),
    "figures": ("#ddf4ff", "#54aeff"),
    "execution_rates": ("#dafbe1", "#4ac26b"),
    "scores": ("#fbefff", "#c297ff"),
    "indicators": ("#fff8c5", "#d4a72c"),
    "projects": ("#d8f3f0", "#3fb9a9"),
    "notes": ("#f6f8fa", "#8c959f"),
}
SEVERITY_COLORS = {"error": "#cf222e", "warning": "#9a6700"}

BASE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; color: #1f2328; background: #f6f8fa; }
header { position: sticky; top: 0; z-index: 3; background: #24292f; color: #fff; padding: 8px 16px; }
header h1 { font-size: 16px; margin: 0 0 4px; }
header .meta { font-size: 12px; color: #d0d7de; }
.legend span { display: inline-block; margin-right: 6px; padding: 0 6px; border-radius: 3px; color: #1f2328; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 440px; gap: 12px; padding: 12px; }
#text { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 16px 20px; margin: 0;
        white-space: pre-wrap; word-break: break-all; tab-size: 6; font: inherit; line-height: 1.9; }
#panel { position: sticky; top: 64px; align-self: start; max-height: calc(100vh - 76px); overflow-y: auto;
         background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; }
#panel h2 { font-size: 14px; margin: 12px 0 4px; padding-bottom: 2px; border-bottom: 1px solid #d0d7de; }
#panel h3 { font-size: 12px; margin: 8px 0 2px; color: #57606a; text-transform: uppercase; }
#panel ol { list-style: none; margin: 0; padding: 0; }
.rec { display: block; width: 100%; text-align: left; border: 0; border-left: 4px solid transparent;
       background: none; padding: 2px 6px; font: 12px/1.5 inherit; cursor: pointer; color: inherit; }
.rec:hover, .rec.active { background: #eaeef2; }
.rec.flagged { background: #fff8e1; }
.concern { color: #9a6700; font-size: 11px; }
mark.hl { background: transparent; color: inherit; border-radius: 2px; cursor: pointer; }
mark.checks { text-decoration: underline wavy 2px; text-underline-offset: 4px; }
mark.checks.first:not(.hl-cont)::before { content: attr(data-label); font-size: 11px; margin-right: 3px; padding: 0 4px;
    border-radius: 8px; vertical-align: super; line-height: 1; }
.flash { animation: flash 1.6s ease-out; }
@keyframes flash { 0%, 60% { box-shadow: 0 0 0 3px #fb8500; background: #ffd8a8; } 100% { box-shadow: none; } }
#selftest-result { position: fixed; bottom: 0; left: 0; font-size: 11px; background: #fff; padding: 2px 6px; }
"""


def _kind_css() -> str:
    rules = []
    for kind, (background, edge) in COLORS.items():
        rules.append(f"mark.{kind}, .legend .{kind} {{ background: {background}; }}")
        rules.append(f".rec.{kind} {{ border-left-color: {edge}; }}")
    for severity, color in SEVERITY_COLORS.items():
        rules.append(f"mark.checks.{severity} {{ text-decoration-color: {color}; }}")
        rules.append(f"mark.checks.{severity}.first:not(.hl-cont)::before, .legend .{severity} "
                     f"{{ background: {color}; color: #fff; }}")
        rules.append(f".rec.checks.{severity} {{ border-left-color: {color}; }}")
    return "\n".join(rules)


CSS = BASE_CSS + _kind_css()

JS = """
(function () {
  "use strict";
  var text = document.getElementById("text");
  var panel = document.getElementById("panel");

  function pieces(spanId) {
    return text.querySelectorAll('mark[data-span="' + CSS.escape(spanId) + '"]');
  }
  function spansOf(button) {
    return (button.getAttribute("data-spans") || "").split(" ").filter(Boolean);
  }
  function flash(elements) {
    elements.forEach(function (el) {
      el.classList.remove("flash");
      void el.offsetWidth;  // restart the animation
      el.classList.add("flash");
    });
  }
  function show(button) {
    var ids = spansOf(button);
    var all = [];
    ids.forEach(function (id) { all = all.concat(Array.prototype.slice.call(pieces(id))); });
    if (!all.length) { return null; }
    all[0].scrollIntoView({ block: "center", behavior: "instant" });
    flash(all);
    panel.querySelectorAll(".rec.active").forEach(function (el) { el.classList.remove("active"); });
    button.classList.add("active");
    return all;
  }
  panel.addEventListener("click", function (event) {
    var button = event.target.closest(".rec");
    if (button) { show(button); }
  });
  text.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.hl");
    if (!mark) { return; }
    var button = panel.querySelector('.rec[data-record="' + CSS.escape(mark.getAttribute("data-record")) + '"]');
    if (button) {
      button.scrollIntoView({ block: "center", behavior: "instant" });
      flash([button]);
      panel.querySelectorAll(".rec.active").forEach(function (el) { el.classList.remove("active"); });
      button.classList.add("active");
    }
  });

  // The characters of a span: its pieces' text in document order (pieces never nest).
  function spanText(id) {
    var got = "";
    pieces(id).forEach(function (el) { got += el.textContent; });
    return got;
  }
  // #selftest: check every span's text, click the first check (else the last record, far
  // down the text), and record what the page then shows, for headless tests.
  function selftest() {
    var expected = JSON.parse(document.getElementById("evidence").textContent);
    var wrong = Object.keys(expected).filter(function (id) {
      var first = text.querySelectorAll('mark.hl:not(.hl-cont)[data-span="' + CSS.escape(id) + '"]');
      return first.length !== 1 || spanText(id) !== expected[id];
    });
    var records = panel.querySelectorAll(".rec");
    var button = panel.querySelector(".rec.checks") || records[records.length - 1];
    button.click();
    var target = pieces(spansOf(button)[0])[0];
    var box = target.getBoundingClientRect();
    var visible = box.bottom > 0 && box.top < window.innerHeight;
    var flashed = target.classList.contains("flash") && button.classList.contains("active");
    var ok = visible && flashed && wrong.length === 0;
    var out = document.createElement("div");
    out.id = "selftest-result";
    out.setAttribute("data-ok", String(ok));
    out.setAttribute("data-clicked", button.getAttribute("data-record"));
    out.setAttribute("data-visible", String(visible));
    out.setAttribute("data-flashed", String(flashed));
    out.setAttribute("data-spans-checked", String(Object.keys(expected).length));
    out.setAttribute("data-spans-wrong", wrong.join(" "));
    out.textContent = "selftest " + (ok ? "ok" : "FAILED");
    document.body.appendChild(out);
  }
  if (location.hash === "#selftest") { selftest(); }
})();
"""
