// Live push (SSE) for every console page. Pages listen with:
//   document.addEventListener("yingji:<channel>", (e) => e.detail)
// Events whose data has "sound": true play a short alert tone (generated, no audio file).
(function () {
  "use strict";
  if (!window.EventSource) return;
  let audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.35);
      window.yingjiLastBeep = Date.now();
    } catch (err) { /* autoplay may be blocked until the user interacts */ }
  }
  const channels = document.body.dataset.liveChannels || "";
  const source = new EventSource(window.yingjiUrl("live-stream") + (channels ? "?channels=" + encodeURIComponent(channels) : ""));
  window.yingjiLive = source;
  function dispatch(channel, raw) {
    const data = JSON.parse(raw);
    if (data.sound) beep();
    document.dispatchEvent(new CustomEvent("yingji:" + channel, { detail: data }));
    document.dispatchEvent(new CustomEvent("yingji:any", { detail: data }));
  }
  ["alarms", "incidents", "deadlines", "duty", "warnings", "tasks", "progress"].forEach((ch) => {
    source.addEventListener(ch, (e) => dispatch(ch, e.data));
  });
  source.onopen = () => document.body.setAttribute("data-live", "open");
})();
