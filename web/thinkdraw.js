// ThinkDraw web extension: shows a node's AU plan (reasoning, AU sliders, face diagram) after a run.
// On ThinkDrawAUPlanEdit the sliders write the node's "overrides" widget, so an edit is part of the
// workflow JSON and of the queued prompt; ComfyUI's cache then re-runs only what depends on it.
// Only the public extension API is used. Any failure here stays here: the nodes work without it.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";

const EXTENSION = "ThinkDraw.Plan";
const PLAN_NODES = {
  ThinkDrawEmotionCoTReasoner: { editable: false },
  ThinkDrawAUPlanEdit: { editable: true },
};
const OVERRIDES_WIDGET = "overrides";
const VIDEO_COMBINE = "ThinkDrawVideoCombine";
const ANALYZER = "ThinkDrawExpressionAnalyzer";
const REASONER = "ThinkDrawEmotionCoTReasoner";
// The reasoner's fields that only one backend reads, shown only while that backend is picked.
const BACKEND_FIELDS = { llm_model: "transformers", base_url: "openai", api_model: "openai" };
const COLLAPSED_PROPERTY = "thinkdraw_panel_collapsed";
const REPORT_PROPERTY = "thinkdraw_report";
const NODE_GAP = 20; // graph units the panel leaves free above a neighbour when it grows
const PANEL_MIN = 96; // the panel's least height when open: the header and a few lines, the rest scrolls
const PANEL_MAX = 560; // and its most, however long the plan
const PANEL_WIDGET = "thinkdraw_plan_panel";
const REGIONS = ["brows", "eyes", "cheeks", "nose", "mouth", "jaw"];
const SIDES = ["right", "both", "left"]; // in the order the toggle shows them: subject's right is on the viewer's left
const SIDE_LABEL = { right: "R", both: "both", left: "L" };

// Widget order of node types while they still had a secret widget (thinkdraw_core/secrets.py keeps
// the same table for the headless runner and Video Combine's metadata). A saved node with exactly
// that many values is from that time: its key is dropped before the graph is built, so it reaches
// no widget, no queued prompt and no saved file. Keys now come from the server's environment.
const LEGACY_WIDGETS = {
  ThinkDrawEmotionCoTReasoner: ["text", "intensity", "backend", "llm_model", "base_url", "api_model", "api_key",
                                "seed", "context"],
};
const SECRET_WIDGETS = new Set(["api_key"]);

// The number of non-empty keys dropped.
function dropRetiredSecrets(graphData) {
  let dropped = 0;
  for (const graph of [graphData, ...(graphData?.definitions?.subgraphs ?? [])]) {
    for (const node of graph?.nodes ?? []) {
      const legacy = LEGACY_WIDGETS[node?.type];
      const values = node?.widgets_values;
      if (!legacy || !Array.isArray(values) || values.length !== legacy.length) continue;
      for (let i = legacy.length - 1; i >= 0; i--) {
        if (SECRET_WIDGETS.has(legacy[i])) {
          const [value] = values.splice(i, 1);
          if (value) dropped++; // an empty key needs the fix, not the warning
        }
      }
    }
  }
  return dropped;
}

let warnedSecret = false;
function warnSecretOnce() {
  if (warnedSecret) return;
  warnedSecret = true;
  const detail = "This workflow was saved with an api_key value in the Emotion CoT Reasoner; it was ignored and " +
    "removed. Keys now come from the ComfyUI server's environment (THINKDRAW_OPENAI_API_KEY or OPENAI_API_KEY).";
  console.warn(`[ThinkDraw] ${detail}`);
  app.extensionManager?.toast?.add?.({ severity: "warn", summary: "ThinkDraw: api_key ignored", detail, life: 8000 });
}

let warned = false;
function warnOnce(what, err) {
  if (warned) return;
  warned = true;
  console.warn(`[ThinkDraw] ${what}; the ThinkDraw nodes still work without the plan panel.`, err);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const clamp01 = (x) => Math.min(1, Math.max(0, Number(x) || 0));
const fmt = (x) => clamp01(x).toFixed(2);

// -- the plan as the panel reads it ------------------------------------------------------------

function sideGains(side) {
  return { both: [1, 1], left: [1, 0], right: [0, 1] }[side] || [1, 1];
}

// How hard each region works on each of the subject's sides: the strongest AU acting there.
function regionStrengths(units) {
  const out = {};
  for (const r of REGIONS) out[r] = { left: 0, right: 0 };
  for (const u of units) {
    if (!out[u.region]) continue;
    const [gl, gr] = sideGains(u.side);
    out[u.region].left = Math.max(out[u.region].left, u.intensity * gl);
    out[u.region].right = Math.max(out[u.region].right, u.intensity * gr);
  }
  return out;
}

function validatePlan(plan) {
  if (!plan || typeof plan !== "object" || !Array.isArray(plan.action_units)) {
    throw new Error("the node sent a plan without action_units (expected AUPlan.to_dict())");
  }
  const beats = plan.beats;
  if (beats !== undefined && (!Array.isArray(beats) || beats.some((b) => !Array.isArray(b?.action_units)))) {
    throw new Error("the node sent a plan whose beats are not a list of beats with action_units " +
                    "(expected AUPlan.to_dict())");
  }
  return plan;
}

// -- the face diagram --------------------------------------------------------------------------

// Shapes per region and subject side on a 100x120 face; the subject's left is on the viewer's right.
const FACE_SHAPES = {
  brows: {
    right: ["path", { d: "M24 40 Q33 33 44 38" }],
    left: ["path", { d: "M56 38 Q67 33 76 40" }],
  },
  eyes: {
    right: ["ellipse", { cx: 34, cy: 49, rx: 8, ry: 4.5 }],
    left: ["ellipse", { cx: 66, cy: 49, rx: 8, ry: 4.5 }],
  },
  cheeks: {
    right: ["circle", { cx: 27, cy: 70, r: 8 }],
    left: ["circle", { cx: 73, cy: 70, r: 8 }],
  },
  nose: {
    right: ["path", { d: "M50 50 L50 72 Q45 74 43 70 Z" }],
    left: ["path", { d: "M50 50 L50 72 Q55 74 57 70 Z" }],
  },
  mouth: {
    right: ["path", { d: "M36 87 Q43 84 50 86 L50 91 Q42 93 36 87 Z" }],
    left: ["path", { d: "M64 87 Q57 84 50 86 L50 91 Q58 93 64 87 Z" }],
  },
  jaw: {
    right: ["path", { d: "M30 100 Q38 112 50 113 L50 106 Q40 104 34 98 Z" }],
    left: ["path", { d: "M70 100 Q62 112 50 113 L50 106 Q60 104 66 98 Z" }],
  },
};

function faceDiagram(units) {
  const strengths = regionStrengths(units);
  const root = svg("svg", { viewBox: "0 0 100 122", class: "thinkdraw-face", role: "img" });
  const title = svg("title");
  title.textContent = "Regions that move (subject's left is on your right)";
  root.append(title);
  root.append(svg("ellipse", { cx: 50, cy: 66, rx: 40, ry: 53, class: "thinkdraw-face-outline" }));
  for (const region of REGIONS) {
    for (const side of ["left", "right"]) {
      const [tag, attrs] = FACE_SHAPES[region][side];
      const s = strengths[region][side];
      const shape = svg(tag, {
        ...attrs,
        class: `thinkdraw-region${s > 0 ? " active" : ""}${tag === "path" && region === "brows" ? " stroke" : ""}`,
        "data-region": region,
        "data-side": side,
        "data-strength": s.toFixed(2),
        style: `--s:${s.toFixed(3)}`,
      });
      const tip = svg("title");
      tip.textContent = `${region} (${side}): ${s.toFixed(2)}`;
      shape.append(tip);
      root.append(shape);
    }
  }
  const label = (x, text) => {
    const t = svg("text", { x, y: 120, class: "thinkdraw-face-label" });
    t.textContent = text;
    return t;
  };
  root.append(label(4, "R"), label(90, "L"));
  return root;
}

// -- overrides (the AUPlanEdit widget's JSON) ---------------------------------------------------

function readOverrides(widget) {
  const text = String(widget?.value ?? "").trim();
  if (!text) return {};
  const parsed = JSON.parse(text); // a syntax error is reported by the caller, never overwritten
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error('overrides must be a JSON object like {"aus": {"12": {"intensity": 0.4}}}');
  }
  return parsed;
}

function writeOverrides(node, widget, overrides) {
  const aus = overrides.aus || {};
  const clean = { ...overrides };
  if (!Object.keys(aus).length) delete clean.aus;
  if (clean.timeline && !Object.keys(clean.timeline).length) delete clean.timeline;
  pruneBeatEdits(clean);
  widget.value = JSON.stringify(clean, null, 1);
  // widget.callback is how the frontend learns a widget changed (undo history, dirty workflow)
  widget.callback?.(widget.value, app.canvas, node);
  node.setDirtyCanvas?.(true, true);
}

// -- layout ------------------------------------------------------------------------------------

// Graph units below `node` before the nearest node under it (overlapping it horizontally), less NODE_GAP.
function freeBelow(node) {
  const title = window.LiteGraph?.NODE_TITLE_HEIGHT ?? 30;
  const [x, y] = node.pos;
  const [w, h] = node.size;
  let free = Infinity;
  for (const other of node.graph?._nodes ?? node.graph?.nodes ?? []) {
    if (other === node) continue;
    const [ox, oy] = other.pos;
    const ow = other.size?.[0] ?? 0;
    const top = oy - title;
    if (ox < x + w && ox + ow > x && top >= y + h - 1) free = Math.min(free, top - (y + h) - NODE_GAP);
  }
  return Math.max(0, free);
}

// -- the analyzer's report ---------------------------------------------------------------------

// thinkdraw_core/face/analyzer.py SEEN_RISE and SIDE_EFFECT: the same words as the report's text.
const SEEN_RISE = 0.08;
const SIDE_EFFECT = 0.15;

function reportFlag(row) {
  const seen = row.measured;
  if (row.requested > 0) {
    if (row.unreadable_by_model) return "unreadable";
    return Number.isFinite(seen) && seen >= SEEN_RISE ? "seen" : "missed";
  }
  return Number.isFinite(seen) && Math.abs(seen) >= SIDE_EFFECT ? "side-effect" : "";
}

const FLAG_WORDS = { missed: "missed", unreadable: "the model cannot read it here", "side-effect": "side effect" };

// Whether the report measured a clip of another plan (edited since, and the analyzer has not run again).
function reportIsStale(report, plan) {
  const asked = new Map((plan?.action_units ?? []).map((u) => [u.au, Number(u.intensity)]));
  const measured = report.aus.filter((r) => r.requested > 0);
  return measured.length !== asked.size ||
    measured.some((r) => !asked.has(r.au) || Math.abs(asked.get(r.au) - r.requested) > 0.006);
}

// "Smile (AU12): asked 0.80, seen 0.75" per requested AU, then the AUs that moved unasked.
function reportSection(report, stale = false) {
  const rows = report.aus.filter((r) => r.requested > 0 || reportFlag(r) === "side-effect");
  rows.sort((a, b) => (b.requested > 0) - (a.requested > 0));
  const line = (r) => {
    const flag = reportFlag(r);
    const seen = Number.isFinite(r.measured) ? `${r.measured >= 0 ? "" : "-"}${Math.abs(r.measured).toFixed(2)}`
      : "nothing (face lost)";
    const asked = r.requested > 0 ? `asked ${Number(r.requested).toFixed(2)}` : "not asked";
    return el("li", { class: `thinkdraw-report-row ${flag}`, "data-au": r.au, "data-flag": flag, title: r.unreadable_by_model || "" },
      el("span", { text: `${r.label || `AU${r.au}`}: ${asked}, seen ${seen}` }),
      FLAG_WORDS[flag] ? el("span", { class: "thinkdraw-flag", text: FLAG_WORDS[flag] }) : null);
  };
  const missed = rows.filter((r) => reportFlag(r) === "missed").length;
  const leaks = rows.filter((r) => reportFlag(r) === "side-effect").length;
  const summary = missed || leaks
    ? `${missed} missed, ${leaks} side effect${leaks === 1 ? "" : "s"}`
    : "every requested AU seen, no side effects";
  return el("details", { class: `thinkdraw-report${stale ? " stale" : ""}`, open: true },
    el("summary", { text: `${stale ? "An earlier plan's clip (run again to measure this one)" : "Last clip"}, ` +
      `measured at the apex: ${summary}` }),
    el("ul", {}, ...rows.map(line)));
}

// -- beats (plan schema 2) ---------------------------------------------------------------------

const BEAT_MIN_GAP = 0.1; // seconds a dragged border keeps from its neighbours
const BEAT_SNAP = 0.05; // and the step it moves in

// nodes/types.py plan_ui labels every beat's AUs with the artist's name (facs.DISPLAY_NAMES)
function auName(u) {
  return u.label || u.name || `AU${u.au}`;
}

// Every beat of a plan; the first is the top-level view (whose AUs carry their label). A schema 1 plan is one beat.
function planBeats(plan) {
  const first = {
    action_units: plan?.action_units || [], emotion: plan?.emotion || {}, timeline: plan?.timeline || {},
    handover: plan?.handover || "blend", text: plan?.beats?.[0]?.text || "",
  };
  return [first, ...(Array.isArray(plan?.beats) ? plan.beats.slice(1) : [])];
}

// Where the edits of beat `beat` live in the overrides: the top level for the first beat, beats["k"] for the others
// (AUPlan.with_overrides). With `create`, the entry is made when missing.
function beatEdits(overrides, beat, create = false) {
  if (!beat) return overrides;
  const key = String(beat);
  if (create) {
    overrides.beats = overrides.beats || {};
    overrides.beats[key] = overrides.beats[key] || {};
  }
  return overrides.beats?.[key] || {};
}

// Drop the empty entries of overrides.beats (and beats itself when nothing is left).
function pruneBeatEdits(overrides) {
  if (!overrides.beats || typeof overrides.beats !== "object" || Array.isArray(overrides.beats)) return;
  const beats = { ...overrides.beats };
  for (const [key, edit] of Object.entries(beats)) {
    if (!edit || typeof edit !== "object") continue;
    const clean = { ...edit };
    for (const part of ["aus", "timeline"]) {
      if (clean[part] && !Object.keys(clean[part]).length) delete clean[part];
    }
    if (Object.keys(clean).length) beats[key] = clean;
    else delete beats[key];
  }
  if (Object.keys(beats).length) overrides.beats = beats;
  else delete overrides.beats;
}

// A beat's AU edit as {intensity?, side?} (a bare number is an intensity, as the core reads it).
function auEdit(value) {
  if (typeof value === "number") return { intensity: value };
  if (!value || typeof value !== "object") return {};
  const out = {};
  if (value.intensity !== undefined) out.intensity = value.intensity;
  if (value.side !== undefined) out.side = value.side;
  return out;
}

// Each beat's start in seconds with the pending border moves applied.
function beatStarts(beats, overrides) {
  return beats.map((b, k) => {
    const edited = beatEdits(overrides || {}, k).timeline?.start;
    return Number(edited ?? b.timeline?.start ?? 0) || 0;
  });
}

// The end of the time axis: the last beat gets its rise and hold, and at least the beats' usual length.
function beatsSpan(beats, starts) {
  const last = beats.length - 1;
  const tl = beats[last].timeline || {};
  const typical = last > 0 ? (starts[last] - starts[0]) / last : 2;
  return starts[last] + Math.max(Number(tl.onset ?? 0.6) + Number(tl.apex ?? 1), typical, 1);
}

// "Brow lowerer, Lid tighten": the strongest AUs of a beat, by the artist's names.
function mainAus(units, count = 3) {
  const active = units.filter((u) => Number(u.intensity) > 0);
  if (!active.length) return "at rest";
  return [...active].sort((a, b) => b.intensity - a.intensity).slice(0, count).map(auName).join(", ");
}

// The bars of a plan's beats on a time axis: a click selects a beat, dragging a border (when `onMove` is given)
// moves the start of the beat after it.
function beatsTimeline(beats, starts, selected, onSelect, onMove) {
  const span = beatsSpan(beats, starts);
  const pct = (sec) => `${((100 * sec) / span).toFixed(3)}%`;
  const track = el("div", { class: "thinkdraw-beats-track", "data-span": span.toFixed(3) });
  beats.forEach((b, k) => {
    const end = k + 1 < beats.length ? starts[k + 1] : span;
    const label = b.emotion?.label || "neutral";
    const what = mainAus(b.action_units || []);
    track.append(el("button", {
      type: "button", class: `thinkdraw-beat${k === selected ? " on" : ""}`, "data-beat": k,
      "aria-pressed": String(k === selected),
      title: `beat ${k + 1}: ${label} from ${starts[k].toFixed(2)} s` +
             (k + 1 < beats.length ? ` (${b.handover === "cut" ? "cuts" : "blends"} into the next)` : "") +
             `\n${b.text || ""}\n${what}`,
      style: `left:${pct(starts[k])};width:${pct(Math.max(0, end - starts[k]))}`,
      onclick: () => onSelect(k),
    }, el("span", { class: "thinkdraw-beat-label", text: label }),
    el("span", { class: "thinkdraw-beat-aus", text: what })));
  });
  if (onMove) {
    for (let k = 1; k < beats.length; k++) {
      const border = el("div", {
        class: "thinkdraw-beat-border", "data-beat": k, role: "slider", "aria-label": `start of beat ${k + 1} (s)`,
        "aria-valuenow": starts[k].toFixed(2),
        title: `drag to move the start of beat ${k + 1} (${starts[k].toFixed(2)} s)`,
        style: `left:${pct(starts[k])}`,
      });
      const low = starts[k - 1] + BEAT_MIN_GAP;
      const high = k + 1 < beats.length ? starts[k + 1] - BEAT_MIN_GAP : span - BEAT_MIN_GAP;
      const seconds = (event) => {
        const box = track.getBoundingClientRect();
        const raw = ((event.clientX - box.left) / Math.max(box.width, 1)) * span;
        return Math.min(high, Math.max(low, Math.round(raw / BEAT_SNAP) * BEAT_SNAP));
      };
      let dragging = false;
      border.addEventListener("pointerdown", (event) => {
        dragging = true;
        border.setPointerCapture?.(event.pointerId);
        border.classList.add("dragging");
        event.preventDefault();
        event.stopPropagation();
      });
      border.addEventListener("pointermove", (event) => {
        if (!dragging) return;
        const sec = seconds(event);
        border.style.left = pct(sec);
        border.dataset.seconds = sec.toFixed(2);
        border.title = `start of beat ${k + 1}: ${sec.toFixed(2)} s`;
      });
      const drop = (event) => {
        if (!dragging) return;
        dragging = false;
        border.classList.remove("dragging");
        const sec = seconds(event);
        if (Math.abs(sec - starts[k]) >= BEAT_SNAP / 2) onMove(k, Number(sec.toFixed(2)));
      };
      border.addEventListener("pointerup", drop);
      border.addEventListener("pointercancel", () => {
        dragging = false;
        border.classList.remove("dragging");
        border.style.left = pct(starts[k]);
      });
      track.append(border);
    }
  }
  const ticks = el("div", { class: "thinkdraw-beats-axis" });
  const step = span > 12 ? 4 : span > 6 ? 2 : 1;
  for (let t = 0; t <= span; t += step) ticks.append(el("span", { style: `left:${pct(t)}`, text: `${t}s` }));
  return el("div", { class: "thinkdraw-beats", "data-beats": beats.length, "data-selected": selected }, track, ticks);
}

// -- the apex preview (POST /thinkdraw/preview, nodes/preview_route.py) -------------------------

const PLAN_TYPE = "THINKDRAW_PLAN";
const DRAFT_RENDERER = "ThinkDrawExpressionDraftRenderer";
const PREVIEW_ROUTE = "/thinkdraw/preview";
const PREVIEW_DEBOUNCE_MS = 150;
const PASS_THROUGH = new Set(["Reroute"]); // nodes that hand their input on unchanged

const kindOf = (node) => node?.comfyClass ?? node?.type;

// The first Expression Draft Renderer the plan of `node` reaches, following plan links downstream.
function downstreamRenderer(node) {
  const seen = new Set([node.id]);
  const queue = [node];
  while (queue.length && seen.size < 64) {
    const current = queue.shift();
    const passes = PASS_THROUGH.has(kindOf(current));
    for (const [slot, output] of (current.outputs || []).entries()) {
      if (output?.type !== PLAN_TYPE && !passes) continue;
      for (const target of current.getOutputNodes?.(slot) || []) {
        if (seen.has(target.id)) continue;
        seen.add(target.id);
        if (kindOf(target) === DRAFT_RENDERER) return target;
        queue.push(target);
      }
    }
  }
  return null;
}

// The portrait the renderer draws: the file name its `image` input's Load Image holds, or why there is none.
function rendererPortrait(renderer) {
  let node = renderer;
  let slot = node.inputs?.findIndex((i) => i.name === "image") ?? -1;
  for (let hops = 0; hops < 8; hops++) {
    const source = slot >= 0 ? node.getInputNode?.(slot) : null;
    if (!source) return { reason: `${node.title || "the renderer"} has no portrait connected to its image input` };
    const widget = source.widgets?.find((w) => w.name === "image");
    if (widget && typeof widget.value === "string" && !source.inputs?.some((i) => i.type === "IMAGE")) {
      return widget.value ? { image: widget.value } : { reason: `pick a portrait in ${source.title || "Load Image"}` };
    }
    if (!PASS_THROUGH.has(kindOf(source))) {
      return { reason: `the portrait comes from ${source.title || source.type}, not a Load Image: no live preview` };
    }
    node = source;
    slot = 0;
  }
  return { reason: "the portrait is too many nodes away from the renderer" };
}

function widgetValue(node, name, fallback) {
  const value = node.widgets?.find((w) => w.name === name)?.value;
  return value === undefined || value === null || value === "" ? fallback : value;
}

function blobToDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// The face at the apex of the selected beat, redrawn by the server on every edit. The newest request wins: an
// older answer that arrives late is dropped.
class PreviewView {
  constructor(panel) {
    this.panel = panel;
    this.seq = 0;
    this.timer = null;
    this.controller = null;
    this.img = el("img", { class: "thinkdraw-preview-img", alt: "the face at the apex of the selected beat" });
    this.note = el("div", { class: "thinkdraw-preview-note" });
    this.root = el("div", { class: "thinkdraw-preview", "data-state": "none" }, this.img, this.note);
  }

  setState(state, note, extra = {}) {
    this.root.dataset.state = state;
    for (const [k, v] of Object.entries(extra)) this.root.dataset[k] = String(v);
    this.note.textContent = note || "";
    this.note.classList.toggle("bad", state === "error");
  }

  schedule(delay = PREVIEW_DEBOUNCE_MS) {
    clearTimeout(this.timer);
    this.seq++; // an answer to an earlier request is stale from now on
    this.timer = setTimeout(() => this.request(), delay);
  }

  async request() {
    const seq = ++this.seq;
    this.controller?.abort();
    this.controller = null;
    let ask;
    try {
      ask = this.panel.previewRequest();
    } catch (err) {
      this.setState("error", `no preview: ${err?.message || err}`);
      return;
    }
    if (ask.reason) {
      this.setState("none", ask.reason);
      return;
    }
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = controller;
    this.root.dataset.state = "loading";
    this.root.dataset.beat = String(ask.body.beat);
    try {
      const res = await api.fetchApi(PREVIEW_ROUTE, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(ask.body),
        signal: controller?.signal,
      });
      if (!res.ok) {
        let message = `the preview failed (HTTP ${res.status})`;
        try {
          message = (await res.json()).error || message;
        } catch {
          // not JSON: the status says enough
        }
        if (seq === this.seq) this.setState("error", message);
        return;
      }
      const url = await blobToDataUrl(await res.blob());
      if (seq !== this.seq) return; // a newer edit asked meanwhile
      this.img.src = url;
      this.setState("ready", res.headers.get("X-ThinkDraw-Note") || "", {
        calibrated: res.headers.get("X-ThinkDraw-Calibrated") === "1" ? "1" : "0", shownBeat: ask.body.beat,
      });
    } catch (err) {
      if (err?.name === "AbortError" || seq !== this.seq) return;
      this.setState("error", `the preview could not be fetched: ${err?.message || err}`);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }
}

// -- the panel ---------------------------------------------------------------------------------

class PlanPanel {
  constructor(node, editable) {
    this.node = node;
    this.editable = editable;
    this.plan = null;
    this.report = null;
    this.beat = 0; // the beat the sliders, the timing and the preview are of
    this.preview = new PreviewView(this);
    this.root = el("div", { class: "thinkdraw-panel", "data-node-type": node.comfyClass });
    this.toggle = el("button", {
      type: "button", class: "thinkdraw-collapse", "aria-expanded": "true", title: "hide or show the AU plan",
      onclick: () => this.setCollapsed(!this.collapsed),
    });
    this.bar = el("div", { class: "thinkdraw-bar" }, this.toggle,
      el("span", { class: "thinkdraw-bar-title", text: editable ? "AU plan (drag the sliders to edit)" : "AU plan" }),
      editable ? null : el("span", {
        class: "thinkdraw-readonly", text: "read-only: edit in AU Plan Edit",
        title: "This panel shows what the reasoner planned. Connect an AU Plan Edit node after it and move its " +
               "sliders to change intensities, sides and timing.",
      }));
    this.content = el("div", { class: "thinkdraw-content" },
      el("div", { class: "thinkdraw-empty", text: "Run the graph to see the plan." }));
    this.root.append(this.bar, this.content);
    this.collapsed = false;
    this.setCollapsed(!!node.properties?.[COLLAPSED_PROPERTY], false);
    // keep canvas shortcuts and drag from stealing the panel's pointer and keys
    for (const ev of ["pointerdown", "wheel", "keydown"]) this.root.addEventListener(ev, (e) => e.stopPropagation());
    this.widget = node.addDOMWidget(PANEL_WIDGET, "thinkdraw-plan", this.root, {
      serialize: false, // not an input of the node: stays out of the prompt
      hideOnZoom: false,
      getMinHeight: () => (this.collapsed ? this.barHeight() : Math.min(PANEL_MIN, this.height())),
      getMaxHeight: () => this.height(),
    });
    this.widget.serialize = false; // ... and out of widgets_values in the saved workflow
    if (typeof ResizeObserver === "function") {
      let last = 0;
      new ResizeObserver(() => {
        const h = this.content.scrollHeight;
        if (h && h !== last) {
          last = h;
          this.fit();
        }
      }).observe(this.content);
    }
  }

  barHeight() {
    return (this.bar.offsetHeight || 22) + 8;
  }

  // The panel's natural height once laid out (an estimate before the browser has measured it), at most PANEL_MAX.
  height() {
    if (this.collapsed) return this.barHeight();
    const measured = this.content.scrollHeight;
    let natural;
    if (measured) natural = measured + this.barHeight() + 16; // + the margin the frontend keeps around DOM widgets
    else if (!this.plan) natural = 64;
    else {
      const steps = Math.min((this.plan.reasoning || []).length, 12);
      natural = 150 + 18 * steps + 40 * this.rows().length + (this.editable ? 50 : 0) + 170 +
        (planBeats(this.plan).length > 1 ? 50 : 0); // the preview and the beats
    }
    return Math.min(PANEL_MAX, natural);
  }

  setCollapsed(collapsed, refit = true) {
    this.collapsed = collapsed;
    this.root.classList.toggle("collapsed", collapsed);
    this.toggle.textContent = collapsed ? "\u25b8" : "\u25be"; // right / down pointing triangles
    this.toggle.setAttribute("aria-expanded", String(!collapsed));
    this.node.properties = this.node.properties || {};
    this.node.properties[COLLAPSED_PROPERTY] = collapsed; // kept with the workflow
    if (refit) this.fit();
  }

  overridesWidget() {
    return this.node.widgets?.find((w) => w.name === OVERRIDES_WIDGET);
  }

  // The plan's AUs plus any AU the overrides name that the plan lost (set to 0), so it can come back.
  rows() {
    const beat = planBeats(this.plan)[this.beat] || planBeats(this.plan)[0];
    const units = beat.action_units.map((u) => ({ ...u, label: auName(u), intensity: clamp01(u.intensity) }));
    if (!this.editable) return units;
    let overrides = {};
    try {
      overrides = readOverrides(this.overridesWidget());
    } catch {
      return units;
    }
    const edits = beatEdits(overrides, this.beat).aus || {};
    for (const u of units) { // edits not yet run: the sliders keep them when the beat is selected again
      const key = Object.keys(edits).find((k) => parseInt(String(k).toUpperCase().replace(/^AU/, ""), 10) === u.au);
      if (key === undefined) continue;
      const edit = auEdit(edits[key]);
      if (edit.intensity !== undefined) u.intensity = clamp01(edit.intensity);
      if (edit.side !== undefined) u.side = edit.side;
    }
    for (const [key, value] of Object.entries(edits)) {
      const au = parseInt(String(key).toUpperCase().replace(/^AU/, ""), 10);
      if (!Number.isFinite(au) || units.some((u) => u.au === au)) continue;
      const v = typeof value === "number" ? { intensity: value } : value || {};
      units.push({ au, intensity: clamp01(v.intensity), side: v.side || "both", name: "removed upstream", region: "" });
    }
    return units;
  }

  show(plan) {
    this.plan = validatePlan(plan);
    if (this.beat >= planBeats(this.plan).length) this.beat = 0;
    this.render();
    this.preview.schedule(0);
  }

  // Which beat the sliders edit (and the preview shows).
  selectBeat(index) {
    if (index === this.beat) return;
    this.beat = index;
    this.render();
    this.preview.schedule(0);
  }

  // The body of POST /thinkdraw/preview for what the panel shows now, or {reason} why there is none.
  previewRequest() {
    const renderer = downstreamRenderer(this.node);
    if (!renderer) return { reason: "No live preview: this plan reaches no Expression Draft Renderer." };
    const portrait = rendererPortrait(renderer);
    if (portrait.reason) return { reason: `No live preview: ${portrait.reason}.` };
    // the plan this node was given (the upstream panel's, when there is one) with the overrides as they are now: what
    // the node will compute on Run (its own plan has the last run's overrides applied already)
    const upstream = this.editable ? planSource(this.node)?.thinkdrawPanel?.plan : null;
    const plan = upstream && planBeats(upstream).length === planBeats(this.plan).length ? upstream : this.plan;
    return {
      body: {
        image: portrait.image, plan, overrides: this.editable ? String(this.overridesWidget()?.value ?? "") : "",
        beat: this.beat, neutralize: Number(widgetValue(renderer, "neutralize", 0.8)),
        face_index: Number(widgetValue(renderer, "face_index", -1)),
        crop_margin: Number(widgetValue(renderer, "crop_margin", 0.6)),
      },
    };
  }

  // The analyzer's reading of the last clip made from this plan (its report's to_dict()).
  showReport(report) {
    if (!report || !Array.isArray(report.aus)) throw new Error("the analyzer sent a report without aus");
    this.report = report;
    if (this.plan) this.render();
  }

  showError(message) {
    this.plan = null;
    this.content.replaceChildren(el("div", { class: "thinkdraw-error", text: `ThinkDraw panel: ${message}` }));
    this.fit();
  }

  render() {
    const plan = this.plan;
    const units = this.rows();
    const beats = planBeats(plan);
    const beat = beats[this.beat] || beats[0];
    const emotion = beat.emotion || {};
    const head = el("div", { class: "thinkdraw-head" },
      el("div", { class: "thinkdraw-label", text: (beats.length > 1 ? `beat ${this.beat + 1}/${beats.length}: ` : "") +
        (emotion.label || "neutral") }),
      el("div", {
        class: "thinkdraw-meta",
        text: `valence ${Number(emotion.valence ?? 0).toFixed(2)} · arousal ${Number(emotion.arousal ?? 0).toFixed(2)}`
          + (plan.backend ? ` · ${plan.backend}` : ""),
      }));

    const steps = el("ol", { class: "thinkdraw-steps" }, ...(plan.reasoning || []).map((s) => el("li", { text: s })));
    const reasoning = el("details", { class: "thinkdraw-reasoning", open: true },
      el("summary", { text: `Reasoning (${(plan.reasoning || []).length} steps)` }), steps);

    this.units = units; // what the face shows: the plan plus edits not yet queued
    this.face = faceDiagram(units);
    const body = el("div", { class: "thinkdraw-body" },
      el("div", { class: "thinkdraw-aus" }, ...units.map((u) => this.auRow(u))),
      el("div", { class: "thinkdraw-pictures" }, this.preview.root, this.face));

    const parts = [head, reasoning];
    if (beats.length > 1) parts.push(this.beatsSection(beats));
    parts.push(body);
    if (this.report) parts.push(reportSection(this.report, reportIsStale(this.report, plan)));
    if (plan.warnings?.length) {
      parts.push(el("ul", { class: "thinkdraw-warnings" }, ...plan.warnings.map((w) => el("li", { text: w }))));
    }
    if (this.editable) parts.push(this.timingRow(this.beatTimeline(beat)));
    this.status = el("div", { class: "thinkdraw-status" });
    parts.push(this.status);
    this.content.replaceChildren(...parts);
    this.fit();
  }

  // Size the node to the panel; the observer re-fits once the browser has laid the content out.
  // The panel never resizes its node. On the classic canvas it takes the height the node gives its widgets and
  // scrolls the rest; Nodes 2.0 sizes a node by its content, so there the panel is held to PANEL_MAX and to the
  // free space below the node (up to NODE_GAP above the next node), never over a neighbour.
  fit() {
    const node = this.node;
    if (this.collapsed) {
      this.root.style.maxHeight = "";
    } else {
      const now = this.root.offsetHeight || 0;
      this.root.style.maxHeight = `${Math.max(PANEL_MIN, Math.min(PANEL_MAX, now + freeBelow(node)))}px`;
    }
    node.setDirtyCanvas?.(true, true);
  }

  auRow(u) {
    const id = `AU${u.au}`;
    const value = el("span", { class: "thinkdraw-value", text: fmt(u.intensity) });
    const slider = el("input", {
      type: "range", min: 0, max: 1, step: 0.01, value: fmt(u.intensity),
      "data-au": u.au, "aria-label": `${id} ${u.name} intensity`, disabled: !this.editable,
    });
    const row = el("div", { class: "thinkdraw-au", "data-au": u.au });
    slider.addEventListener("input", () => {
      value.textContent = fmt(slider.value);
      this.edit(u.au, { intensity: Number(slider.value) }, row);
    });
    const toggle = el("div", { class: "thinkdraw-side", role: "group", "aria-label": `${id} side` },
      ...SIDES.map((side) => el("button", {
        type: "button", "data-side": side, class: side === (u.side || "both") ? "on" : "",
        title: side === "both" ? "both sides" : `subject's ${side} side only`,
        disabled: !this.editable, text: SIDE_LABEL[side],
        onclick: () => {
          toggle.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b.dataset.side === side));
          this.edit(u.au, { side }, row);
        },
      })));
    const label = el("div", { class: "thinkdraw-au-label", title: `${id}: ${u.name || ""} (FACS)` },
      el("b", { text: u.label || u.name || id }), ` (${id})`,
      el("span", { class: "thinkdraw-region-tag", text: u.region || "" }));
    row.append(label, slider, value, toggle);
    if (this.editable) {
      row.append(el("button", {
        type: "button", class: "thinkdraw-reset", title: `drop the override of ${id} (use the upstream value)`,
        text: "↺", onclick: () => this.reset(u.au),
      }));
    }
    return row;
  }

  timingRow(timeline) {
    const row = el("div", { class: "thinkdraw-timing" }, el("span", { text: "timing (s)" }));
    for (const key of ["start", "onset", "apex", "offset"]) {
      const input = el("input", {
        type: "number", min: 0, max: 30, step: 0.05, value: Number(timeline[key] ?? 0).toFixed(2),
        "data-timeline": key, "aria-label": `timeline ${key} seconds`,
      });
      input.addEventListener("change", () => this.editTimeline(key, Number(input.value)));
      row.append(el("label", {}, key, input));
    }
    return row;
  }

  // Apply one change to the overrides JSON; a widget the user broke by hand is reported, not replaced.
  mutate(fn) {
    const widget = this.overridesWidget();
    if (!widget) {
      this.status.textContent = `this node has no "${OVERRIDES_WIDGET}" widget to write to`;
      return false;
    }
    let overrides;
    try {
      overrides = readOverrides(widget);
    } catch (err) {
      this.status.textContent = `overrides is not valid JSON (${err.message}); fix or clear it, then move the slider again`;
      this.status.classList.add("bad");
      return false;
    }
    fn(overrides);
    writeOverrides(this.node, widget, overrides);
    this.status.textContent = "edited: queue the prompt to apply it";
    this.status.classList.remove("bad");
    this.preview.schedule(); // the apex of the edited plan, drawn by the server in a fraction of a second
    return true;
  }

  edit(au, change, row) {
    const entry = {
      intensity: Number(Number(row.querySelector("input[type=range]").value).toFixed(2)),
      side: row.querySelector(".thinkdraw-side button.on")?.dataset.side || "both",
      ...change,
    };
    const written = this.mutate((o) => {
      const edits = beatEdits(o, this.beat, true);
      edits.aus = edits.aus || {};
      edits.aus[String(au)] = entry;
    });
    if (written) this.redrawFace(au, entry);
  }

  redrawFace(au, entry) {
    this.units = this.units.map((u) => (u.au === au ? { ...u, ...entry } : u));
    const face = faceDiagram(this.units);
    this.face.replaceWith(face);
    this.face = face;
  }

  editTimeline(key, seconds) {
    if (!(seconds >= 0)) {
      this.status.textContent = `timeline ${key} must be a number of seconds >= 0`;
      return;
    }
    this.mutate((o) => {
      const edits = beatEdits(o, this.beat, true);
      edits.timeline = { ...(edits.timeline || {}), [key]: seconds };
    });
  }

  reset(au) {
    this.mutate((o) => {
      const edits = beatEdits(o, this.beat);
      if (edits.aus) delete edits.aus[String(au)];
    });
  }

  // The selected beat's timing with its pending edits.
  beatTimeline(beat) {
    let edits = {};
    try {
      edits = this.editable ? beatEdits(readOverrides(this.overridesWidget()), this.beat).timeline || {} : {};
    } catch {
      // a broken overrides widget is reported on the next edit
    }
    return { ...(beat.timeline || {}), ...edits };
  }

  // The beats as bars on a time axis: click one to edit it, drag a border to move the next beat's start.
  beatsSection(beats) {
    let overrides = {};
    try {
      overrides = this.editable ? readOverrides(this.overridesWidget()) : {};
    } catch {
      // shown as planned until the widget is valid JSON again
    }
    const starts = beatStarts(beats, overrides);
    const timeline = beatsTimeline(beats, starts, this.beat, (k) => this.selectBeat(k),
      this.editable ? (k, seconds) => this.moveBeat(k, seconds) : null);
    // "shared": the renderer spreads the beats over its clip, until a timing edit fixes them (AUPlan.with_overrides)
    const timed = overrides.timeline || Object.values(overrides.beats || {}).some((e) => e?.timeline);
    const shared = this.plan.beat_timing === "shared" && !timed;
    const hint = this.editable
      ? `${beats.length} beats: click one to edit it, drag a border to move a beat's start` +
        (shared ? " (the renderer spreads the beats over the clip until a border is moved)" : "")
      : `${beats.length} beats: click one to see it` + (shared ? " (the renderer spreads them over the clip)" : "");
    timeline.prepend(el("div", { class: "thinkdraw-beats-hint", text: hint }));
    return timeline;
  }

  moveBeat(k, seconds) {
    if (this.mutate((o) => {
      const edits = beatEdits(o, k, true);
      edits.timeline = { ...(edits.timeline || {}), start: seconds };
    })) {
      const status = this.status.textContent;
      this.render(); // the bars and (for the selected beat) the timing show the new start
      this.status.textContent = status;
    }
  }
}

// -- registration ------------------------------------------------------------------------------

const PLAN_PROPERTY = "thinkdraw_plan";

function attach(node) {
  const spec = PLAN_NODES[node.comfyClass];
  if (!spec || node.thinkdrawPanel) return;
  const panel = new PlanPanel(node, spec.editable);
  node.thinkdrawPanel = panel;
  const previous = node.onExecuted;
  node.onExecuted = function (message) {
    previous?.apply(this, arguments);
    const plan = message?.thinkdraw_plan?.[0];
    if (plan === undefined) return;
    try {
      panel.show(plan);
      // kept with the workflow, so a reopened or shared workflow shows (and lets you tweak) the last plan
      this.properties = this.properties || {};
      this.properties[PLAN_PROPERTY] = plan;
    } catch (err) {
      panel.showError(err?.message || String(err));
      warnOnce("could not draw a plan", err);
    }
  };
}

function restore(node) {
  const plan = node.properties?.[PLAN_PROPERTY];
  if (plan && node.thinkdrawPanel) {
    node.thinkdrawPanel.show(plan);
    const report = node.properties?.[REPORT_PROPERTY];
    if (report) node.thinkdrawPanel.showReport(report);
  }
}

// The plan node a node's `plan` input comes from, when it has a panel.
function planSource(node) {
  const slot = node.inputs?.findIndex((i) => i.name === "plan");
  if (slot === undefined || slot < 0) return null;
  const source = node.getInputNode?.(slot);
  return source?.thinkdrawPanel ? source : null;
}

// The Expression Analyzer's reading goes to the panel of the plan node its plan came from.
function attachAnalyzer(node) {
  const previous = node.onExecuted;
  node.onExecuted = function (message) {
    previous?.apply(this, arguments);
    const report = message?.thinkdraw_report?.[0];
    const source = report && planSource(this);
    if (!source) return;
    try {
      source.thinkdrawPanel.showReport(report);
      source.properties = source.properties || {};
      source.properties[REPORT_PROPERTY] = report;
    } catch (err) {
      warnOnce("could not show the analyzer's report", err);
    }
  };
}

// Nodes 2.0 picks a node's preview element by node.previewMediaType, or by a VIDEO input when it is unset
// (core Save Video has one). Video Combine takes IMAGE, so without this its mp4 went into an <img> there.
// The classic canvas reads the same field (isVideoNode), so both renderers show a <video>.
const VIDEO_EXTENSIONS = /\.(mp4|webm|mkv|mov|m4v)$/i;
function attachVideoCombine(node) {
  const format = node.widgets?.find((w) => w.name === "format");
  const byFormat = (value) => (/gif|webp|png/i.test(String(value)) ? "image" : "video");
  node.previewMediaType = byFormat(format?.value);
  if (format) {
    const callback = format.callback;
    format.callback = function (value) {
      node.previewMediaType = byFormat(value);
      return callback?.apply(this, arguments);
    };
  }
  const previous = node.onExecuted;
  node.onExecuted = function (message) {
    const file = message?.images?.[0]?.filename;
    if (file) this.previewMediaType = VIDEO_EXTENSIONS.test(file) ? "video" : "image";
    return previous?.apply(this, arguments);
  };
}

// Nodes 2.0 (1.32.9) draws a node's widgets from a copy it takes when the node is added, and after the first edit of
// any of the node's widgets keeps that copy for good (useGraphNodeManager's updateVueWidgetState): a widget's hidden
// flag set later never reaches it, and a field it left out at the start could never come back. So the fields stay
// in its copy, and one style rule hides their rows: each row holds its input's slot, keyed "<node id>-in-<input
// index>". The rules are rebuilt from the nodes open in the graph, so a node of a reloaded graph gets none of the old.
const hiddenRows = new Map(); // node -> indices of its inputs whose rows are hidden
let hiddenRowStyle = null;
function hideRows(node, inputs) {
  if (inputs.length && node) hiddenRows.set(node, inputs);
  else if (node) hiddenRows.delete(node);
  const rules = [];
  for (const [n, indices] of hiddenRows) {
    if (app.graph?.getNodeById?.(n.id) !== n) continue; // not added yet, or in a graph not open now
    for (const i of indices) rules.push(`[data-node-id="${n.id}"] .lg-node-widget:has([data-slot-key="${n.id}-in-${i}"])`);
  }
  if (!hiddenRowStyle) {
    hiddenRowStyle = el("style", { id: "thinkdraw-hidden-fields" });
    document.head.append(hiddenRowStyle);
  }
  hiddenRowStyle.textContent = rules.length ? `${rules.join(",\n")} { display: none; }` : "";
}

// The reasoner's llm_model, base_url and api_model only matter to one backend each: hidden for the others.
function attachBackendFields(node) {
  const backend = node.widgets?.find((w) => w.name === "backend");
  if (!backend) return;
  const apply = (value) => {
    const hidden = [];
    for (const w of node.widgets) {
      const owner = BACKEND_FIELDS[w.name];
      if (!owner) continue;
      w.hidden = owner !== value; // the classic canvas (LGraphNode.isWidgetVisible)
      const input = node.inputs?.findIndex((i) => i.widget?.name === w.name) ?? -1;
      if (w.hidden && input >= 0) hidden.push(input); // Nodes 2.0, above
    }
    hideRows(node, hidden);
    node.thinkdrawPanel?.fit();
    node.setDirtyCanvas?.(true, true);
  };
  const callback = backend.callback;
  backend.callback = function (value) {
    const result = callback?.apply(this, arguments);
    apply(value);
    return result;
  };
  const added = node.onAdded;
  node.onAdded = function () {
    const result = added?.apply(this, arguments);
    apply(backend.value); // its id is known now
    return result;
  };
  const removed = node.onRemoved;
  node.onRemoved = function () {
    const result = removed?.apply(this, arguments);
    hiddenRows.delete(node);
    hideRows(null, []);
    return result;
  };
  node.thinkdrawApplyBackend = () => apply(backend.value);
  apply(backend.value);
}

function displayName(type) {
  return window.LiteGraph?.registered_node_types?.[type]?.title || type;
}

// "Speech - Load Audio": the title an artist gave the node, and what kind of node it is.
function nodeName(id, type) {
  const node = app.graph?.getNodeById?.(Number(id)) ?? app.graph?.getNodeById?.(id);
  const display = displayName(type);
  return node?.title && node.title !== display ? `${node.title} - ${display}` : display;
}

function fixFor(error, input) {
  const where = input ? `"${input}"` : "the input";
  switch (error.type) {
    case "required_input_missing":
      return `connect ${where} or give it a value`;
    case "value_not_in_list":
    case "custom_validation_failed":
      return /file|image|audio|video/i.test(`${error.details} ${input}`)
        ? `pick a file that is in ComfyUI's input folder for ${where} (or upload one), or bypass the node`
        : `pick one of the offered values for ${where}`;
    case "value_bigger_than_max":
    case "value_smaller_than_min":
      return `set ${where} inside its range`;
    default:
      return `fix ${where}, then run again`;
  }
}

// ComfyUI queues a prompt when at least one output node is valid and silently leaves out the outputs that
// depend on a node that failed validation: the run "completes" without its video. Say what was left out,
// which node and input stopped it, and the fix.
function blockedOutputsMessage(response) {
  const errors = Object.entries(response?.node_errors ?? {});
  if (!errors.length) return null;
  const lines = [];
  const blocked = new Set();
  for (const [id, entry] of errors) {
    for (const e of entry.errors ?? []) {
      const input = e.extra_info?.input_name;
      lines.push(`${nodeName(id, entry.class_type)}${input ? `, input "${input}"` : ""}: ` +
        `${e.details || e.message}. Fix: ${fixFor(e, input)}.`);
    }
    for (const out of entry.dependent_outputs ?? []) blocked.add(out);
  }
  const names = [...blocked].map((id) => {
    const node = app.graph?.getNodeById?.(Number(id));
    return node ? nodeName(id, node.comfyClass ?? node.type) : `node ${id}`;
  });
  return {
    title: `${names.length} output${names.length === 1 ? "" : "s"} will not run: ${names.join(", ")}`,
    detail: lines.join("\n"),
  };
}

function reportBlockedOutputs(response) {
  const message = blockedOutputsMessage(response);
  if (!message) return;
  console.error(`[ThinkDraw] ${message.title}\n${message.detail}`);
  const dialog = app.extensionManager?.dialog;
  if (dialog?.showErrorDialog) {
    const error = new Error(`${message.title}.\n\n${message.detail}`);
    error.stack = ""; // the dialog shows a stack when there is one: nothing of ours to debug here
    dialog.showErrorDialog(error, { title: "Run incomplete: an input is not valid", reportType: "thinkdrawValidation" });
  } else {
    app.extensionManager?.toast?.add?.({ severity: "error", summary: message.title, detail: message.detail });
  }
}

// A plan node's panel asks for its preview when the plan arrives, before the renderer after it has drafted (and
// calibrated) the portrait: once a run is done, the previews drawn uncalibrated are asked again.
function recalibratePreviews() {
  if (typeof api?.addEventListener !== "function") return;
  api.addEventListener("execution_success", () => {
    for (const node of app.graph?._nodes ?? app.graph?.nodes ?? []) {
      const preview = node.thinkdrawPanel?.preview;
      if (node.thinkdrawPanel?.plan && preview?.root.dataset.calibrated === "0") preview.schedule(0);
    }
  });
}

function watchQueue() {
  if (typeof api?.queuePrompt !== "function" || api.queuePrompt.thinkdraw) return;
  const original = api.queuePrompt;
  const wrapped = async function (...args) {
    const response = await original.apply(this, args);
    try {
      reportBlockedOutputs(response);
    } catch (err) {
      warnOnce("could not report the outputs left out of a run", err);
    }
    return response;
  };
  wrapped.thinkdraw = true;
  api.queuePrompt = wrapped;
}

// The frontend titles a node's error dialog with its node_type, an id like ThinkDrawExpressionDraftRenderer:
// ours get the name the artist sees on the node instead.
function retitleErrors() {
  if (typeof api?.dispatchCustomEvent !== "function" || api.dispatchCustomEvent.thinkdraw) return;
  const original = api.dispatchCustomEvent;
  const wrapped = function (type, detail) {
    try {
      if (type === "execution_error" && String(detail?.node_type ?? "").startsWith("ThinkDraw")) {
        detail.node_type = nodeName(detail.node_id, detail.node_type);
      }
    } catch (err) {
      warnOnce("could not name the node of an error", err);
    }
    return original.apply(this, arguments);
  };
  wrapped.thinkdraw = true;
  api.dispatchCustomEvent = wrapped;
}

// ComfyUI lists a pack's templates (example_workflows/*.json) in the order its folder scan finds them, and the
// template browser keeps that order unless sorted by hand. Ours are named "1 ...", "2 ...": listed in that order, the
// CPU draft, the one that runs without model weights, comes first.
const PACK_DIR = decodeURIComponent(new URL(import.meta.url).pathname.split("/").slice(-2, -1)[0] ?? "");
function orderTemplates() {
  if (typeof api?.getWorkflowTemplates !== "function" || api.getWorkflowTemplates.thinkdraw) return;
  const original = api.getWorkflowTemplates;
  const wrapped = async function (...args) {
    const templates = await original.apply(this, args);
    try {
      const ours = templates?.[PACK_DIR];
      if (Array.isArray(ours)) ours.sort((a, b) => String(a).localeCompare(String(b), "en", { numeric: true }));
    } catch (err) {
      warnOnce("could not order the ThinkDraw templates", err);
    }
    return templates;
  };
  wrapped.thinkdraw = true;
  api.getWorkflowTemplates = wrapped;
}

try {
  orderTemplates();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./thinkdraw.css", import.meta.url).href;
  document.head.append(link);

  app.registerExtension({
    name: EXTENSION,
    beforeConfigureGraph(graphData) {
      try {
        if (dropRetiredSecrets(graphData)) warnSecretOnce();
      } catch (err) {
        warnOnce("could not check the workflow for old api_key values", err);
      }
    },
    setup() {
      try {
        watchQueue();
        retitleErrors();
      } catch (err) {
        warnOnce("could not watch the queue for outputs left out", err);
      }
      try {
        recalibratePreviews();
      } catch (err) {
        warnOnce("could not watch runs for the preview's calibration", err);
      }
    },
    nodeCreated(node) {
      try {
        attach(node);
        if (node.comfyClass === VIDEO_COMBINE) attachVideoCombine(node);
        if (node.comfyClass === ANALYZER) attachAnalyzer(node);
        if (node.comfyClass === REASONER) attachBackendFields(node);
      } catch (err) {
        warnOnce(`could not add the plan panel to ${node?.comfyClass}`, err);
      }
    },
    loadedGraphNode(node) {
      try {
        restore(node);
        node.thinkdrawApplyBackend?.(); // the saved backend is set after nodeCreated
        if (node.comfyClass === VIDEO_COMBINE) {
          const format = node.widgets?.find((w) => w.name === "format");
          if (format) node.previewMediaType = /gif|webp|png/i.test(String(format.value)) ? "image" : "video";
        }
      } catch (err) {
        warnOnce(`could not restore the plan panel of ${node?.comfyClass}`, err);
      }
    },
  });
} catch (err) {
  warnOnce("the web extension failed to load", err);
}
