const SIZE = 280;       // the pad in CSS pixels: 10 per MNIST pixel
const PEN = SIZE / 10;  // MNIST strokes are about 2.8 of 28 pixels wide: a tenth of the image

function render({ model, el }) {
  el.classList.add("drawing-pad");
  el.innerHTML = `
    <div><div class="pad-paper"><canvas data-testid="pad"></canvas><div class="pad-box"></div></div>
         <button data-testid="clear">Clear</button></div>
    <div class="pad-result"><div class="pad-digit" data-testid="prediction"></div>
         <div class="pad-sure"></div><img data-testid="seen" alt="the 28 x 28 image the model saw">
         <div>what the model sees</div></div>
    <div class="pad-bars" data-testid="probabilities"></div>
    <div class="pad-error" data-testid="error"></div>`;
  const [canvas, clear, seen] = ["canvas", "button", "img"].map((tag) => el.querySelector(tag));
  const ratio = window.devicePixelRatio || 1;  // draw at the screen's resolution
  canvas.width = canvas.height = SIZE * ratio;
  const pen = canvas.getContext("2d");
  pen.scale(ratio, ratio);
  Object.assign(pen, { lineWidth: PEN, lineCap: "round", lineJoin: "round" });
  const wipe = () => { pen.fillStyle = "white"; pen.fillRect(0, 0, SIZE, SIZE); pen.fillStyle = "black"; };
  wipe();

  // Pointer events serve mouse, pen and finger alike; the CSS sets touch-action: none so that
  // a finger draws instead of scrolling the page.
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * SIZE / box.width, (e.clientY - box.top) * SIZE / box.height];
  };
  let last = null, mid = null, id = null;  // the pointer's last position, where the line ends, which pointer
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || last) return;  // left button, pen tip or first finger only
    id = e.pointerId;
    canvas.setPointerCapture(id);  // keep the stroke even if it leaves the pad
    last = mid = at(e);
    pen.beginPath(); pen.arc(...last, PEN / 2, 0, 2 * Math.PI); pen.fill();  // a tap makes a dot
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last || e.pointerId !== id) return;
    // Smooth lines: a quadratic curve from midpoint to midpoint of successive positions, bending
    // at each position, over every position the browser merged into this event.
    const events = e.getCoalescedEvents?.() ?? [];
    for (const point of (events.length ? events : [e]).map(at)) {
      const next = [(last[0] + point[0]) / 2, (last[1] + point[1]) / 2];
      pen.beginPath(); pen.moveTo(...mid); pen.quadraticCurveTo(...last, ...next); pen.stroke();
      [last, mid] = [point, next];
    }
  });
  const end = (e) => {
    if (!last || e.pointerId !== id) return;
    pen.beginPath(); pen.moveTo(...mid); pen.lineTo(...last); pen.stroke();
    last = null;
    model.set("image", canvas.toDataURL("image/png"));  // to Python, which predicts and answers
    model.save_changes();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => { wipe(); model.set("image", ""); model.save_changes(); });

  // Show Python's answer: the digit, the 28 x 28 image the model saw, a bar per probability.
  const show = () => {
    const [digit, probs, error] = ["digit", "probs", "error"].map((name) => model.get(name));
    el.querySelector(".pad-digit").textContent = digit >= 0 ? digit : "?";
    el.querySelector(".pad-sure").textContent = digit >= 0 ? `${Math.round(100 * probs[digit])} % sure` : "";
    if (model.get("seen")) seen.src = model.get("seen");
    seen.style.visibility = model.get("seen") ? "visible" : "hidden";
    el.querySelector(".pad-bars").innerHTML = [...Array(10).keys()].map((d) => {
      const percent = 100 * (probs[d] ?? 0);
      const top = d === digit ? "top" : "";
      return `<span>${d}</span><div><b class="${top}" style="width: ${percent}%"></b></div>
              <span>${probs.length ? percent.toFixed(1) + " %" : ""}</span>`;
    }).join("");
    el.querySelector(".pad-error").textContent = error;
  };
  show();
  const names = ["digit", "probs", "seen", "error"];
  names.forEach((name) => model.on(`change:${name}`, show));
  return () => names.forEach((name) => model.off(`change:${name}`, show));  // when the view goes away
}
export default { render };
