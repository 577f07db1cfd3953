/** The inspector's stylesheet and its one small script (countdowns, live updates over SSE): no framework. */
export const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#6a737d;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8b949e;--line:#30363d;--bg:#0d1117;--soft:#161b22;--accent:#4493f8}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header.top{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.2rem;border-bottom:1px solid var(--line);background:var(--soft)}
header.top strong{font-size:15px}header.top nav a{margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1200px}a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre.value{background:var(--soft);border:1px solid var(--line);padding:.4rem .6rem;margin:.3rem 0;white-space:pre-wrap;word-break:break-word;max-height:28rem;overflow:auto}
.muted{color:var(--muted)}.label{color:var(--muted);font-size:12px;margin-top:.3rem}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:12px;border:1px solid var(--line)}
.status-completed{background:#dafbe1;color:#116329}.status-failed{background:#ffebe9;color:#a40e26}.status-running{background:#ddf4ff;color:#0550ae}
.status-pending{background:#fff8c5;color:#7d4e00}.status-cancelled{background:#eaeef2;color:#57606a}
.counts a{margin-right:.8rem}.counts a.on{font-weight:700}
form.inline{display:inline-flex;gap:.4rem;align-items:center;margin:.2rem 0}
input,select,textarea,button{font:inherit;padding:.25rem .45rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--soft)}button.danger{color:#a40e26}textarea{width:100%;min-height:4rem;font:12px ui-monospace,monospace}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}.flash{background:#fff8c5;color:#3b2300;padding:.5rem .8rem;border-radius:4px}
.error{background:#ffebe9;color:#a40e26;padding:.5rem .8rem;border-radius:4px}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:var(--muted)}dd{margin:0}
.live{font-size:12px;color:var(--muted)}.logout{margin-left:auto}
table.divergence{table-layout:fixed}table.divergence th:first-child{width:7rem}table.chunks td{padding:.15rem .5rem}table.chunks td:first-child{width:5rem;color:var(--muted)}table.chunks pre.value{margin:0;padding:.1rem .4rem}
`;

// The live region is fetched again each time the event stream (re)opens: what was appended between
// the page's render and the subscription would be missed otherwise.
export const SCRIPT = `
(function(){
  function tick(){var now=Date.now();document.querySelectorAll(".countdown").forEach(function(el){var ms=Number(el.dataset.until)-now;el.textContent=fmt(ms)});}
  function fmt(ms){var s=Math.round(Math.abs(ms)/1000),d=Math.floor(s/86400),h=Math.floor(s%86400/3600),m=Math.floor(s%3600/60),r=s%60;
    var t=d?d+"d "+h+"h":h?h+"h "+m+"m":m?m+"m "+r+"s":r+"s";return (ms<0?"-":"")+t;}
  setInterval(tick,1000);
  var region=document.querySelector("[data-live]");var state=document.querySelector(".live");
  if(!region||!window.EventSource)return;
  var busy=false,again=false,run=region.dataset.run||"";
  function refresh(){if(busy){again=true;return}busy=true;var url=new URL(region.dataset.page||location.href,location.href);url.searchParams.set("fragment","1");
    fetch(url,{credentials:"same-origin"}).then(function(r){return r.ok?r.text():null}).then(function(t){if(t!==null){region.innerHTML=t;tick();}})
    .finally(function(){busy=false;if(again){again=false;refresh()}})}
  var source=new EventSource(region.dataset.live);
  source.addEventListener("open",function(){if(state)state.textContent="live";refresh()});
  source.addEventListener("error",function(){if(state)state.textContent="reconnecting…"});
  source.addEventListener("resync",refresh);
  source.addEventListener("append",function(e){var d=JSON.parse(e.data);
    if(region.dataset.all==="1"||(run?d.runId===run:(!d.type||d.type.indexOf("run_")===0)))refresh();});
})();
`;
