/* The graph explorer: draws the view the server sends (Cytoscape.js) and keeps its state.
 *
 * The state is what the analyst put on the screen: ids shown and ids expanded. Every read
 * sends it with the filters, so the server rebuilds the view from what the viewer may see;
 * the exports use the same query. Data are only ever written with textContent or as
 * Cytoscape labels (drawn on a canvas), never as HTML. Interface strings come from the
 * page (#graph-strings), translated there.
 */
(function () {
  "use strict";

  const S = JSON.parse(document.getElementById("graph-strings").textContent);
  const root = document.getElementById("explorer");
  const state = { show: [], expand: [] };
  let path = null; // {nodes: [...], edges: [[...], ...]} of the last path found

  // colours by schema (colour-blind-safe set), others from the same set by a hash of the name
  const COLOURS = {
    Person: "#0072b2", UserAccount: "#e69f00", Image: "#009e73", Video: "#56b4e9",
    Message: "#cc79a7", Email: "#d55e00", Organization: "#8c6d31", Company: "#8c6d31",
    LegalEntity: "#6b6ecf", Thing: "#7f7f7f", Hit: "#b2182b",
    email: "#f0b429", phone: "#f0b429", surname: "#f0b429", wallet: "#f0b429", serial: "#f0b429",
  };
  const SPARE = ["#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7"];
  function colour(schema, kind) {
    if (kind === "reference") return "#c4c9d4";
    if (COLOURS[schema]) return COLOURS[schema];
    let h = 0;
    for (const ch of schema) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return SPARE[h % SPARE.length];
  }

  const LANG = document.documentElement.lang || "en";
  function number(value, digits) {
    return Number(value).toLocaleString(LANG, { maximumFractionDigits: digits });
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }
  function short(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }
  function el(tag, text, cls) {
    const made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = String(text);
    if (cls) made.className = cls;
    return made;
  }

  // a shared value's kind, or a schema by its label in the page's language (FtM's, translated)
  function kindName(name) {
    return S.valueKind[name] || S.schemaName[name] || name;
  }

  function nodeName(d) {
    if (d.kind === "hit") {
      return fill(S.hitLabel, { signal: d.signal, agency: d.agency }) +
        " (" + (S.statusName[d.status] || d.status) + ")";
    }
    if (d.kind === "value") return kindName(d.schema) + ": " + d.label;
    if (d.kind === "reference") return d.label + " (" + S.notHeld + ")";
    return d.label;
  }
  function nodeLabel(d) {
    const schema = kindName(d.schema);
    return short(d.kind === "value" ? d.label : nodeName(d), 42) + "\n" + schema;
  }
  function edgeLabel(d) {
    if (d.kind === "hit") {
      return fill(S.hitEdge, { signal: d.signal, distance: d.distance ?? "—" });
    }
    if (d.kind === "same") return fill(S.sameEdge, { probability: number(d.probability, 3) });
    if (d.kind === "shared") return S.valueKind[d.value_kind] || d.value_kind;
    if (d.kind === "reference") return S.propName[d.property] || d.label;
    return d.label;
  }

  const cy = cytoscape({
    container: document.getElementById("cy"),
    wheelSensitivity: 0.3,
    minZoom: 0.2,
    maxZoom: 2.5,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(display)", "color": "#1d2330",
        "font-size": 12, "text-wrap": "wrap", "text-max-width": 140, "text-valign": "bottom",
        "text-margin-y": 4, "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 2, "width": 30, "height": 30, "border-width": 1,
        "border-color": "#ffffff" } },
      { selector: "node[kind = 'value']", style: { "shape": "diamond", "width": 22, "height": 22 } },
      { selector: "node[kind = 'hit']", style: { "shape": "star", "width": 28, "height": 28 } },
      { selector: "node[kind = 'reference']", style: { "shape": "round-rectangle" } },
      { selector: "edge", style: {
        "width": 2, "line-color": "#8a94a6", "curve-style": "bezier", "label": "data(display)",
        "font-size": 11, "color": "#3b4456", "text-rotation": "autorotate",
        "text-background-color": "#f6f7f9", "text-background-opacity": 0.9,
        "text-background-padding": 1 } },
      { selector: "edge[kind = 'reference']", style: {
        "target-arrow-shape": "triangle", "target-arrow-color": "#8a94a6" } },
      { selector: "edge[kind = 'shared']", style: { "line-style": "dashed", "line-color": "#c9a227" } },
      { selector: "edge[kind = 'hit']", style: { "line-color": "#b2182b", "width": 3 } },
      { selector: "edge[kind = 'same']", style: {
        "line-color": "#6a3d9a", "line-style": "dotted", "width": 4 } },
      { selector: "edge[kind = 'relation']", style: { "line-color": "#1f5fae" } },
      { selector: ".faded", style: { "opacity": 0.25 } },
      { selector: "node.path", style: { "border-width": 5, "border-color": "#111111" } },
      { selector: "edge.path", style: { "line-color": "#111111", "width": 6, "opacity": 1,
        "target-arrow-color": "#111111" } },
      { selector: ":selected", style: { "overlay-color": "#f0b429", "overlay-opacity": 0.35,
        "overlay-padding": 6 } },
    ],
  });

  // -- talking to the server -------------------------------------------------------------------

  function query(extra) {
    const params = new URLSearchParams();
    state.show.forEach((id) => params.append("show", id));
    state.expand.forEach((id) => params.append("expand", id));
    const form = document.getElementById("filters");
    for (const group of ["agency", "handling", "reliability", "information"]) {
      const boxes = form.querySelectorAll(`input[name="${group}"]`);
      const chosen = [...boxes].filter((b) => b.checked).map((b) => b.value);
      if (chosen.length === 0) params.append(group, ""); // none: keep nothing
      else if (chosen.length < boxes.length) chosen.forEach((v) => params.append(group, v));
    }
    for (const name of ["since", "until"]) {
      const value = form.elements[name].value;
      if (value) params.append(name, value);
    }
    for (const [key, value] of Object.entries(extra || {})) params.append(key, value);
    return params;
  }

  function say(text, isError) {
    const status = document.getElementById("status");
    status.textContent = text || "";
    status.classList.toggle("refusal", Boolean(isError));
  }

  async function ask(endpoint, extra) {
    const answer = await fetch(`/graph/${endpoint}?${query(extra)}`, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (answer.redirected && new URL(answer.url).pathname === "/login") {
      window.location.assign("/login");
      throw new Error("logged out");
    }
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      let text = S.failed;
      if (answer.status === 404) text = /no path/.test(body.error || "") ? S.noPath : S.notFound;
      if (answer.status === 400) text = S.ambiguous + " " + (body.error || "");
      say(text, true);
      throw new Error(text);
    }
    return body;
  }

  // -- drawing ---------------------------------------------------------------------------------

  function draw(answer, around) {
    const incoming = new Map(answer.elements.map((e) => [e.data.id, e]));
    cy.batch(() => {
      cy.elements().forEach((e) => { if (!incoming.has(e.id())) e.remove(); });
      const centre = around && cy.getElementById(around).nonempty()
        ? cy.getElementById(around).position() : { x: 0, y: 0 };
      for (const e of answer.elements) {
        const d = e.data;
        const existing = cy.getElementById(d.id);
        const data = { ...d, display: d.source ? edgeLabel(d) : nodeLabel(d) };
        if (!d.source) data.colour = colour(d.schema, d.kind);
        if (existing.nonempty()) { existing.data(data); continue; }
        const added = { group: d.source ? "edges" : "nodes", data: data };
        if (!d.source) {
          added.position = { x: centre.x + (Math.random() - 0.5) * 80,
                             y: centre.y + (Math.random() - 0.5) * 80 };
        }
        cy.add(added);
      }
    });
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 30000,
                idealEdgeLength: () => 70, nodeOverlap: 30, gravity: 0.6, numIter: 1500,
                componentSpacing: 120, padding: 40, fit: true }).run();
    frame();
    highlight();
    lists();
    legend();
    markings(answer.markings || []);
    exports();
    say(answer.elements.length ? "" : S.empty);
  }

  function frame() {
    cy.fit(undefined, 40);
    if (cy.zoom() > 1.1) { cy.zoom(1.1); cy.center(); } // a few nodes: labels at reading size
  }

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { cy.resize(); frame(); }, 150);
  });

  function highlight() {
    cy.elements().removeClass("path faded");
    if (path) {
      const wanted = new Set([...path.nodes, ...path.edges.flat()]);
      cy.elements().forEach((e) => e.addClass(wanted.has(e.id()) ? "path" : "faded"));
    }
    // what is drawn highlighted, for assistive tools and tests: the path's nodes, in order
    const drawn = path ? path.nodes.filter((id) => cy.getElementById(id).hasClass("path")) : [];
    document.getElementById("cy").dataset.path = JSON.stringify(drawn);
  }

  function lists() {
    const nodes = document.getElementById("node-list");
    const edges = document.getElementById("edge-list");
    nodes.replaceChildren();
    edges.replaceChildren();
    const sorted = cy.nodes().sort((a, b) => nodeName(a.data()).localeCompare(nodeName(b.data())));
    sorted.forEach((n) => {
      const item = el("li");
      const button = el("button", nodeName(n.data()), "link-like");
      button.type = "button";
      button.dataset.node = n.id();
      button.title = S.select;
      button.append(el("span", " " + kindName(n.data("schema")), "schema"));
      button.addEventListener("click", () => choose(n));
      item.append(button);
      nodes.append(item);
    });
    cy.edges().forEach((e) => {
      const item = el("li");
      const d = e.data();
      const text = `${nodeName(e.source().data())} — ${edgeLabel(d)} — ${nodeName(e.target().data())}`;
      const button = el("button", text, "link-like");
      button.type = "button";
      button.dataset.edge = e.id();
      button.addEventListener("click", () => choose(e));
      item.append(button);
      edges.append(item);
    });
    document.getElementById("node-count").textContent = String(cy.nodes().length);
    document.getElementById("edge-count").textContent = String(cy.edges().length);
  }

  function legend() {
    const list = document.getElementById("legend-schemas");
    list.replaceChildren();
    const seen = new Map();
    cy.nodes().forEach((n) => {
      const d = n.data();
      const name = d.kind === "value" ? kindName(d.schema)
        : d.kind === "reference" ? S.notHeld : kindName(d.schema);
      seen.set(name, d.colour);
    });
    [...seen.entries()].sort().forEach(([name, paint]) => {
      const item = el("li");
      const swatch = el("span", null, "swatch");
      swatch.style.backgroundColor = paint;
      item.append(swatch, document.createTextNode(" " + name));
      list.append(item);
    });
  }

  function meaningOf(p) {
    const meaning = S.handlingMeaning[p.handling] || "";
    return p.note ? `${meaning}: ${p.note}` : meaning;
  }

  function markings(origins) {
    const box = document.getElementById("markings");
    box.replaceChildren();
    for (const p of origins) {
      if (p.handling === "H0") continue;
      const line = el("p", null, "marking " + p.handling.toLowerCase());
      line.append(el("strong", p.handling), document.createTextNode(" " + meaningOf(p) + " — "),
        el("bdi", p.contribution), document.createTextNode(" · "), el("bdi", p.agency));
      box.append(line);
    }
  }

  function exports() {
    const params = query().toString();
    document.querySelectorAll("#exports a[data-format]").forEach((a) => {
      a.href = `/graph/export/${a.dataset.format}${params ? "?" + params : ""}`;
    });
  }

  // -- details ---------------------------------------------------------------------------------

  function facts(pairs) {
    const list = el("dl", null, "facts-small");
    for (const [term, value] of pairs) {
      if (value === undefined || value === null || value === "") continue;
      const row = el("div");
      row.append(el("dt", term), el("dd", value));
      list.append(row);
    }
    return list;
  }

  function provenance(origins) {
    const block = el("section");
    block.append(el("h3", S.provenance));
    if (!origins.length) { block.append(el("p", S.noProvenance, "hint")); return block; }
    for (const p of origins) {
      const [letter, digit] = [p.evaluation.slice(0, 1), p.evaluation.slice(1)];
      block.append(facts([
        [S.contribution, p.contribution],
        [S.agency, p.agency],
        [S.handling, `${p.handling} — ${meaningOf(p)}`],
        [S.evaluation, `${p.evaluation} — ${S.sourceMeaning[letter] || ""}; ` +
          `${S.informationMeaning[digit] || ""}`],
      ]));
    }
    return block;
  }

  function action(text, run) {
    const button = el("button", text);
    button.type = "button";
    button.addEventListener("click", run);
    return button;
  }

  function choose(element) {
    cy.elements().unselect();
    element.select();
    if (element.isNode()) cy.animate({ center: { eles: element } }, { duration: 200 });
    showDetails(element);
  }

  function showDetails(element) {
    const box = document.getElementById("details");
    box.replaceChildren();
    const d = element.data();
    if (element.isNode()) {
      box.append(el("h3", nodeName(d)));
      box.append(facts([[S.schema, kindName(d.schema)], [S.id, d.id]]));
      if (d.kind === "hit") {
        box.append(facts([[S.signal, d.signal], [S.agency, d.agency],
          [S.status, S.statusName[d.status] || d.status], [S.reference, d.ref]]));
      }
      const actions = el("div", null, "actions");
      actions.append(
        action(S.expand, () => expandNode(d.id)),
        action(S.pathFrom, () => { document.getElementById("path-source").value = d.id; }),
        action(S.pathTo, () => { document.getElementById("path-target").value = d.id; }),
      );
      if (d.kind === "entity") {
        const link = el("a", S.entityPage);
        link.href = "/entities/" + encodeURIComponent(d.id);
        actions.append(link);
      }
      box.append(actions);
    } else {
      box.append(el("h3", `${S.kind[d.kind] || d.kind}: ${edgeLabel(d)}`));
      const rows = [[S.from, nodeName(element.source().data())],
                    [S.to, nodeName(element.target().data())]];
      if (d.kind === "reference") rows.push([S.property, S.propName[d.property] || d.property]);
      if (d.kind === "relation") rows.push([S.relation, d.relation]);
      if (d.kind === "shared") {
        rows.push([S.sharedValue, `${S.valueKind[d.value_kind] || d.value_kind}: ${d.value}`],
                  [S.property, d.property]);
      }
      if (d.kind === "hit") {
        rows.push([S.signal, d.signal], [S.distance, d.distance ?? "—"],
                  [S.status, S.statusName[d.status] || d.status], [S.reference, d.ref]);
      }
      if (d.kind === "same") rows.push([S.probability, number(d.probability, 6)]);
      box.append(facts(rows));
    }
    box.append(provenance(d.provenance || []));
  }

  cy.on("tap", "node, edge", (event) => showDetails(event.target));

  // -- what the analyst does -------------------------------------------------------------------

  function add(list, id) { if (!list.includes(id)) list.push(id); }

  async function expandNode(id) {
    const answer = await ask("neighbours", { node: id });
    add(state.show, id);
    add(state.expand, id);
    draw(answer, id);
    if (answer.more) say(fill(S.more, { count: answer.more }));
    const node = cy.getElementById(id);
    if (node.nonempty()) { node.select(); showDetails(node); }
  }

  async function refresh() {
    draw(await ask("view"));
  }

  function pathSteps() {
    const panel = document.getElementById("path-panel");
    const steps = document.getElementById("path-steps");
    steps.replaceChildren();
    panel.hidden = !path;
    if (!path) return;
    document.getElementById("path-title").textContent =
      fill(path.nodes.length === 2 ? S.pathStep.one : S.pathStep.other, // en, es: one is 1
        { count: path.nodes.length - 1 });
    path.nodes.forEach((id, index) => {
      const node = cy.getElementById(id);
      const item = el("li");
      if (index > 0) {
        const edge = cy.getElementById(path.edges[index - 1][0]);
        if (edge.nonempty()) item.append(el("span", "↳ " + edgeLabel(edge.data()) + " ", "via"));
      }
      const button = el("button", node.nonempty() ? nodeName(node.data()) : id, "link-like");
      button.type = "button";
      button.dataset.pathNode = id;
      if (node.nonempty()) button.addEventListener("click", () => choose(node));
      item.append(button);
      steps.append(item);
    });
  }

  document.getElementById("start-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = document.getElementById("start-text").value.trim();
    const found = document.getElementById("found");
    found.replaceChildren();
    if (!text) return;
    const answer = await ask("find", { q: text });
    if (!answer.found.length) { found.append(el("li", S.nothingFound, "hint")); return; }
    for (const f of answer.found) {
      const item = el("li");
      const button = el("button", nodeName(f), "link-like");
      button.type = "button";
      button.append(el("span", " " + kindName(f.schema), "schema"));
      button.addEventListener("click", () => expandNode(f.id));
      item.append(button);
      found.append(item);
    }
  });

  document.getElementById("path-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const source = document.getElementById("path-source").value.trim();
    const target = document.getElementById("path-target").value.trim();
    const answer = await ask("path", { source: source, target: target });
    path = answer.path;
    path.nodes.forEach((id) => add(state.show, id));
    draw(answer);
    pathSteps();
  });

  document.getElementById("path-clear").addEventListener("click", () => {
    path = null;
    highlight();
    pathSteps();
  });

  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh().then(() => { if (path) { pathSteps(); } });
  });

  const start = root.dataset.start;
  if (start) expandNode(start).catch(() => {});
  else say(S.empty);
  exports();
})();
