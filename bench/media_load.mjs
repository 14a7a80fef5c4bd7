// The media bridge bench's load generator (bench/media_bridge.py runs it): fake Twilio media streams
// (a 20 ms μ-law frame every 20 ms, marks echoed like Twilio) and the fake OpenAI Realtime server (a 20 ms
// audio delta every 20 ms per call). It is not Python for the reason the HTTP benches use wrk: at 200
// calls the Python generator took a whole core of the machine's two, so it, not the server, set the pace.
//
// It drives a set of calls for each server under test at once (the plain relay's, a second plain relay's
// as a control, the bridge's), but only one set talks at a time: the sets take turns in short slices, in
// rounds whose order reverses each time (relay, control, bridge, bridge, control, relay, …), so a slow
// spell of this shared machine hits them alike. A paused call stays connected and silent; on resuming it
// keeps its place in the 20 ms cycle, so the calls' frames stay spread over it. Upstream connections tell
// their set by the first part of their path: /relay/…, /control/…, /bridge/….
//
// Each frame carries its send time (performance.now(), milliseconds, this process) in its first 8 bytes,
// so latency is measured by the process that sent it; a sample counts for the slice it arrives in, after
// the slice's settling time (the other set's last frames are still arriving then).
//
// One JSON object per line. It prints {"upstream_port": N} once the fake Realtime server listens, then
// reads {"sets": {"relay": {"url", "calls"}, "bridge": {…}, …}, "setup_timeout", "warmup", "settle",
// "slice", "rounds"} (seconds; calls are [[callSid, customParameters], …]), sets up each set in turn,
// prints {"recording": true} and {"recording": false} around the measured slices, hangs up every call,
// prints the results and exits. It also exits when its stdin closes: the bench is gone.

import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket, WebSocketServer } from "ws";

const FRAME_MS = 20; // as media_bridge.FRAME_MS
const FRAME_BYTES = 8 * FRAME_MS; // 8 kHz μ-law

/** The calls of one server under test. */
class CallSet {
  constructor(name) {
    this.name = name;
    this.voices = new Set(); // everything that talks in this set: callers and the fake model
    this.answered = new Set(); // calls whose first audio has arrived
    this.expected = Infinity;
    this.everyoneAnswered = null; // resolves once `expected` calls have answered
    this.inbound = []; // Twilio → upstream, seconds, of the slice being recorded
    this.outbound = []; // upstream → Twilio
    this.failures = 0;
  }

  answer(streamSid) {
    this.answered.add(streamSid);
    if (this.answered.size >= this.expected) this.everyoneAnswered?.();
  }
}

let sets = {}; // name → CallSet, from the bench's configuration
let talking = null; // the set whose calls talk now
let recording = null; // the set whose samples count now

function say(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

/** A 20 ms μ-law frame whose first 8 bytes are its send time. */
function frame() {
  const bytes = Buffer.alloc(FRAME_BYTES, 0xff);
  bytes.writeDoubleBE(performance.now(), 0);
  return bytes.toString("base64");
}

/** Seconds since the frame in `payload` was sent (its first 12 base64 characters hold the 8 bytes). */
function age(payload) {
  return (performance.now() - Buffer.from(payload.slice(0, 12), "base64").readDoubleBE(0)) / 1000;
}

/** One side of a call that sends a frame every 20 ms while its set talks, always at the same phase of
 * the 20 ms cycle (a fixed schedule: timer drift would otherwise slow the frame rate). */
class Voice {
  constructor(set, send) {
    this.set = set;
    this.send = send;
    this.phase = performance.now() % FRAME_MS;
    this.timer = null;
    set.voices.add(this);
    if (talking === set) this.resume();
  }

  resume() {
    if (this.timer !== null) return;
    const now = performance.now();
    let nextAt = now + ((this.phase - (now % FRAME_MS) + FRAME_MS) % FRAME_MS);
    const tick = () => {
      this.send();
      nextAt += FRAME_MS;
      this.timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
    };
    this.timer = setTimeout(tick, nextAt - now);
  }

  pause() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  end() {
    this.pause();
    this.set.voices.delete(this);
  }
}

function talk(set) {
  talking = set;
  for (const other of Object.values(sets)) {
    for (const voice of other.voices) other === set ? voice.resume() : voice.pause();
  }
}

/** The fake Realtime server; for the plain relays it receives Twilio's own messages verbatim. */
function upstream(ws, request) {
  const set = sets[request.url.split("/")[1]];
  if (set === undefined) return ws.close(1008, "no such set");
  let voice = null;
  let events = 0;
  ws.on("message", (data) => {
    const event = JSON.parse(data);
    let audio = event.type === "input_audio_buffer.append" ? event.audio : undefined;
    if (audio == null && event.event === "media") audio = event.media.payload;
    if (audio != null && recording === set) set.inbound.push(age(audio));
    // The first message (session.update, or the relayed `start`) opens the reply.
    voice ??= new Voice(set, () =>
      // Every field of a GA audio delta, as the API documents it.
      ws.send(
        JSON.stringify({
          type: "response.output_audio.delta",
          event_id: `event_${++events}`,
          response_id: "resp_1",
          item_id: "item_1",
          output_index: 0,
          content_index: 0,
          delta: frame(),
        }),
      ),
    );
  });
  ws.on("error", () => {}); // a reset connection is over, like a closed one: "close" follows
  ws.on("close", () => voice?.end());
}

/** One fake Twilio media stream: `hangUp()` ends it, `closed` resolves once its websocket has closed. */
function fakeCall(set, url, callSid, customParameters) {
  const streamSid = "MZ" + randomUUID().replaceAll("-", "");
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let voice = null;
  let hungUp = false;
  ws.on("open", () => {
    const start = { event: "start", streamSid, start: { streamSid, callSid, customParameters } };
    ws.send(JSON.stringify({ event: "connected" }));
    ws.send(JSON.stringify(start));
    let chunk = 0;
    voice = new Voice(set, () => {
      // Every field of Twilio's media message, as its documentation shows them.
      chunk += 1;
      const media = { track: "inbound", chunk: `${chunk}`, timestamp: `${chunk * FRAME_MS}`, payload: frame() };
      ws.send(JSON.stringify({ event: "media", sequenceNumber: `${chunk + 2}`, media, streamSid }));
    });
  });
  ws.on("message", (data) => listen(set, ws, streamSid, JSON.parse(data)));
  ws.on("error", () => {}); // counted below: "close" follows every error
  const closed = new Promise((resolve) =>
    ws.on("close", () => {
      voice?.end();
      if (!hungUp) set.failures += 1; // never connected, or the server ended the call
      resolve();
    }),
  );
  const hangUp = () => {
    hungUp = true;
    voice?.end();
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ event: "stop", streamSid }));
    ws.close();
  };
  return { hangUp, closed };
}

function listen(set, ws, streamSid, event) {
  const payload = event.media?.payload || event.delta;
  if (payload != null) {
    set.answer(streamSid);
    if (recording === set) set.outbound.push(age(payload));
  }
  if (event.event === "mark") {
    // Twilio echoes a mark once it has played the audio.
    ws.send(JSON.stringify({ event: "mark", streamSid, mark: event.mark }));
  }
}

/** Connects `set`'s calls while it alone talks; seconds until every call had answered. */
async function setUp(set, { url, calls }, setupTimeout) {
  set.expected = calls.length;
  const allAnswered = new Promise((resolve) => (set.everyoneAnswered = resolve));
  talk(set);
  const started = performance.now();
  const streams = [];
  for (const [callSid, customParameters] of calls) {
    streams.push(fakeCall(set, url, callSid, customParameters));
    await sleep(FRAME_MS / Math.max(1, Math.floor(calls.length / 10))); // spread frame phases
  }
  // Call set-up (database, session.update) is not per-frame work: measuring starts once every call talks.
  await Promise.race([allAnswered, sleep(setupTimeout * 1000)]);
  return { streams, seconds: (performance.now() - started) / 1000 };
}

/** One slice: `set` talks, settles (the other set's last frames arrive), then is recorded. */
async function slice(set, settle, seconds) {
  talk(set);
  await sleep(settle * 1000);
  set.inbound = [];
  set.outbound = [];
  recording = set;
  await sleep(seconds * 1000);
  recording = null;
  // Microseconds are precision enough, and keep the last line a few megabytes.
  const rounded = (samples) => samples.map((s) => Math.round(s * 1e6) / 1e6);
  return { set: set.name, inbound: rounded(set.inbound), outbound: rounded(set.outbound) };
}

async function drive(config) {
  const { setup_timeout, warmup, settle, rounds } = config;
  sets = Object.fromEntries(Object.keys(config.sets).map((name) => [name, new CallSet(name)]));
  const setUps = {};
  for (const set of Object.values(sets)) setUps[set.name] = await setUp(set, config.sets[set.name], setup_timeout);
  for (const set of Object.values(sets)) await slice(set, 0, warmup);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  say({ recording: true });
  const slices = [];
  const order = Object.values(sets);
  for (let i = 0; i < rounds; i++) {
    for (const set of order) slices.push(await slice(set, settle, config.slice));
    order.reverse();
  }
  talk(null);
  say({ recording: false });
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const streams = Object.values(setUps).flatMap((setUp) => setUp.streams);
  for (const stream of streams) stream.hangUp();
  await Promise.all(streams.map((stream) => stream.closed));
  const perSet = (get) => Object.fromEntries(Object.values(sets).map((set) => [set.name, get(set)]));
  return {
    answered: perSet((set) => set.answered.size),
    setup_seconds: perSet((set) => setUps[set.name].seconds),
    failures: perSet((set) => set.failures),
    slices,
    generator_cpu_cores: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 }); // any path; no compression
server.on("connection", upstream);
await once(server, "listening");
const lines = createInterface({ input: process.stdin });
lines.on("close", () => process.exit(1));
say({ upstream_port: server.address().port });
const [config] = await once(lines, "line");
const result = await drive(JSON.parse(config));
process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0));
