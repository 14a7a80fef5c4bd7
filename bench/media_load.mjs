// The media bridge bench's load generator (bench/media_bridge.py runs it): N fake Twilio media streams
// (a 20 ms μ-law frame every 20 ms, marks echoed like Twilio) and the fake OpenAI Realtime server (a 20 ms
// audio delta every 20 ms per call). It is not Python for the reason the HTTP benches use wrk: at 200
// calls the Python generator took a whole core of the machine's two, so it, not the server, set the pace.
//
// Each frame carries its send time (performance.now(), milliseconds, this process) in its first 8 bytes,
// so latency is measured by the process that sent it.
//
// One JSON object per line. It prints {"upstream_port": N} once the fake Realtime server listens, then
// reads {"url", "calls": [[callSid, customParameters], …], "setup_timeout", "warmup", "duration"} (seconds),
// prints {"recording": true} and {"recording": false} around the measured window, hangs up every call,
// prints the samples and exits. It also exits when its stdin closes: the bench is gone.

import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket, WebSocketServer } from "ws";

const FRAME_MS = 20; // as media_bridge.FRAME_MS
const FRAME_BYTES = 8 * FRAME_MS; // 8 kHz μ-law

const samples = {
  inbound: [], // Twilio → upstream, seconds
  outbound: [], // upstream → Twilio, seconds
  recording: false,
  failures: 0,
  answered: new Set(), // calls whose first audio has arrived
};
let expectedCalls = 0;
let everyoneAnswered; // resolves `allAnswered`
const allAnswered = new Promise((resolve) => (everyoneAnswered = resolve));

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

/** Calls `send` now and every 20 ms on a fixed schedule (timer drift would otherwise slow the frame rate);
 * returns the function that stops it. */
function paced(send) {
  let nextAt = performance.now();
  let timer;
  const tick = () => {
    send();
    nextAt += FRAME_MS;
    timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
  };
  tick();
  return () => clearTimeout(timer);
}

/** The fake Realtime server; for the relay baseline it receives Twilio's own messages verbatim. */
function upstream(ws) {
  let stopSpeaking = null;
  ws.on("message", (data) => {
    const event = JSON.parse(data);
    let audio = event.type === "input_audio_buffer.append" ? event.audio : undefined;
    if (audio == null && event.event === "media") audio = event.media.payload;
    if (audio != null && samples.recording) samples.inbound.push(age(audio));
    // The first message (session.update, or the relayed `start`) opens the reply.
    stopSpeaking ??= paced(() =>
      ws.send(JSON.stringify({ type: "response.output_audio.delta", item_id: "item_1", delta: frame() })),
    );
  });
  ws.on("error", () => {}); // a reset connection is over, like a closed one: "close" follows
  ws.on("close", () => stopSpeaking?.());
}

/** One fake Twilio media stream: `hangUp()` ends it, `closed` resolves once its websocket has closed. */
function fakeCall(url, callSid, customParameters) {
  const streamSid = "MZ" + randomUUID().replaceAll("-", "");
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let stopSending = () => {};
  let hungUp = false;
  ws.on("open", () => {
    const start = { event: "start", streamSid, start: { streamSid, callSid, customParameters } };
    ws.send(JSON.stringify({ event: "connected" }));
    ws.send(JSON.stringify(start));
    stopSending = paced(() =>
      ws.send(JSON.stringify({ event: "media", streamSid, media: { payload: frame() } })),
    );
  });
  ws.on("message", (data) => listen(ws, streamSid, JSON.parse(data)));
  ws.on("error", () => {}); // counted below: "close" follows every error
  const closed = new Promise((resolve) =>
    ws.on("close", () => {
      stopSending();
      if (!hungUp) samples.failures += 1; // never connected, or the server ended the call
      resolve();
    }),
  );
  const hangUp = () => {
    hungUp = true;
    stopSending();
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ event: "stop", streamSid }));
    ws.close();
  };
  return { hangUp, closed };
}

function listen(ws, streamSid, event) {
  const payload = event.media?.payload || event.delta;
  if (payload != null) {
    samples.answered.add(streamSid);
    if (samples.answered.size >= expectedCalls) everyoneAnswered();
    if (samples.recording) samples.outbound.push(age(payload));
  }
  if (event.event === "mark") {
    // Twilio echoes a mark once it has played the audio.
    ws.send(JSON.stringify({ event: "mark", streamSid, mark: event.mark }));
  }
}

async function drive({ url, calls, setup_timeout, warmup, duration }) {
  expectedCalls = calls.length;
  const streams = [];
  for (const [callSid, customParameters] of calls) {
    streams.push(fakeCall(url, callSid, customParameters));
    await sleep(FRAME_MS / Math.max(1, Math.floor(calls.length / 10))); // spread frame phases
  }
  // Call set-up (database, session.update) is not per-frame work: measure once every call is talking.
  const started = performance.now();
  await Promise.race([allAnswered, sleep(setup_timeout * 1000)]);
  const setupSeconds = (performance.now() - started) / 1000;
  await sleep(warmup * 1000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  samples.recording = true;
  say({ recording: true });
  await sleep(duration * 1000);
  samples.recording = false;
  say({ recording: false });
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const stream of streams) stream.hangUp();
  await Promise.all(streams.map((stream) => stream.closed));
  return {
    answered: samples.answered.size,
    setup_seconds: setupSeconds,
    inbound: samples.inbound,
    outbound: samples.outbound,
    generator_cpu_cores: (cpu.user + cpu.system) / 1e6 / elapsed,
    failures: samples.failures,
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
