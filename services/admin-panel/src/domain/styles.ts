/** The panel's one stylesheet: readable on a phone, visible focus, no framework. */
export const ADMIN_CSS = `
:root { color-scheme: light dark; --accent: #2563eb; --danger: #b91c1c; --muted: #6b7280; --line: #d1d5db; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header nav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; flex: 1; }
header ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; flex: 1; }
header a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header nav.language { flex: 0 0 auto; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
main:focus { outline: none; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.skip:focus { left: 1rem; top: .5rem; background: Canvas; padding: .25rem .5rem; z-index: 1; }
table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
input, select, textarea, button { font: inherit; min-height: 2.5rem; }
input[type=text], input[type=search], select, textarea { width: 100%; max-width: 32rem; padding: .4rem; border: 1px solid var(--muted); border-radius: 4px; }
button { padding: .4rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; margin-top: .5rem; }
button.danger { background: var(--danger); border-color: var(--danger); }
form.inline { display: inline; }
form.inline button { margin: 0; }
.field-error, .errors { color: var(--danger); font-weight: 600; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; border: 1px solid currentColor; font-size: .85em; }
.blocked { color: var(--danger); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.cards strong { display: block; font-size: 1.75rem; }
.actions { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
fieldset { border: 1px solid var(--line); border-radius: 8px; }
.muted { color: var(--muted); }
progress { width: 100%; max-width: 32rem; height: 1.5rem; }
pre.announcement { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 4px solid var(--line); padding: .5rem 1rem; }
.cards span { display: block; font-size: .85em; }
.charts { display: grid; gap: 1.5rem; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); }
.chart { margin: 0; }
.chart figcaption { font-weight: 700; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 14px; }
.chart polyline { stroke-width: 2.5; vector-effect: non-scaling-stroke; }
.series-0 { stroke: #2563eb; fill: #2563eb; } .series-1 { stroke: #16a34a; fill: #16a34a; } .series-2 { stroke: #d97706; fill: #d97706; }
.series-3 { stroke: #9333ea; fill: #9333ea; } .series-4 { stroke: #dc2626; fill: #dc2626; } .series-5 { stroke: #0891b2; fill: #0891b2; }
.chart polyline.series-0, .chart polyline.series-1, .chart polyline.series-2, .chart polyline.series-3, .chart polyline.series-4, .chart polyline.series-5 { fill: none; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .25rem 0; font-size: .9em; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .35rem; border-radius: 2px; vertical-align: -1px; }
.swatch.series-0 { background: #2563eb; } .swatch.series-1 { background: #16a34a; } .swatch.series-2 { background: #d97706; }
.swatch.series-3 { background: #9333ea; } .swatch.series-4 { background: #dc2626; } .swatch.series-5 { background: #0891b2; }
`;
