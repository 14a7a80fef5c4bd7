// The 4-step signup form: step navigation, the live email check, Stripe's Payment Element (when configured),
// submitting to the saga with live progress, and inline errors. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  const root = document.getElementById("signup");
  const form = document.getElementById("signup-form");
  if (!root || !form) return;

  const steps = Array.from(form.querySelectorAll("fieldset[data-step]"));
  const back = document.getElementById("back-button");
  const next = document.getElementById("next-button");
  const submit = document.getElementById("submit-button");
  const formError = document.getElementById("form-error");
  const progress = document.getElementById("signup-progress");
  const progressSteps = document.getElementById("progress-steps");
  const keyInput = document.getElementById("idempotency-key");
  let current = 0;

  function show(index) {
    current = index;
    steps.forEach(function (fieldset, i) { fieldset.hidden = i !== index; });
    root.querySelectorAll("[data-step-label]").forEach(function (item, i) {
      item.classList.toggle("current", i === index);
      item.classList.toggle("done", i < index);
    });
    back.hidden = index === 0;
    next.hidden = index === steps.length - 1;
    submit.hidden = index !== steps.length - 1;
    const first = steps[index].querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function stepValid(index) {
    const fields = Array.from(steps[index].querySelectorAll("input, select"));
    for (const field of fields) {
      if (!field.checkValidity()) { field.reportValidity(); return false; }
    }
    return true;
  }

  function clearErrors() {
    formError.hidden = true;
    formError.textContent = "";
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(error) {
    formError.textContent = error.message || "Something went wrong. Please try again.";
    formError.hidden = false;
    let firstStep = null;
    Object.entries(error.fields || {}).forEach(function ([name, message]) {
      const slot = form.querySelector('[data-error-for="' + name + '"]');
      if (!slot) return;
      slot.textContent = message;
      const input = form.querySelector('[name="' + name + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
      const index = steps.indexOf(slot.closest("fieldset"));
      if (firstStep === null || index < firstStep) firstStep = index;
    });
    if (firstStep !== null) show(firstStep);
  }

  back.addEventListener("click", function () { if (current > 0) show(current - 1); });
  next.addEventListener("click", function () { if (stepValid(current)) show(current + 1); });

  // Live availability check of the email.
  const email = document.getElementById("email");
  const emailStatus = document.getElementById("email-status");
  let emailTimer = null;
  function checkEmail() {
    if (!email.value || !email.checkValidity()) { emailStatus.textContent = ""; return; }
    fetch("/api/signup/check-email", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: email.value }),
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
      if (!body) return;
      emailStatus.textContent = body.available ? "✓ This email is available." : body.reason;
      emailStatus.className = "field-note " + (body.available ? "ok" : "bad");
    }).catch(function () { emailStatus.textContent = ""; });
  }
  email.addEventListener("input", function () { clearTimeout(emailTimer); emailTimer = setTimeout(checkEmail, 400); });
  email.addEventListener("change", checkEmail);

  // Stripe's Payment Element, only when the page was rendered for Stripe (its script is loaded then).
  const stripeKey = root.dataset.stripeKey;
  let stripe = null;
  let elements = null;
  if (stripeKey && window.Stripe) {
    stripe = window.Stripe(stripeKey);
    elements = stripe.elements({ mode: "setup", currency: "usd", paymentMethodCreation: "manual" });
    elements.create("payment").mount("#payment-element");
  }

  async function paymentMethod() {
    if (!stripe) return true;
    const submitted = await elements.submit();
    if (submitted.error) { showErrors({ message: submitted.error.message }); return false; }
    const created = await stripe.createPaymentMethod({ elements: elements });
    if (created.error) { showErrors({ message: created.error.message }); return false; }
    document.getElementById("paymentMethodId").value = created.paymentMethod.id;
    return true;
  }

  let polling = null;
  function pollProgress() {
    const url = "/signup/progress?key=" + encodeURIComponent(keyInput.value);
    fetch(url, { headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && polling) progressSteps.innerHTML = html; })
      .catch(function () {});
  }
  function stopPolling() { clearInterval(polling); polling = null; }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!stepValid(current)) return;
    clearErrors();
    submit.disabled = true;
    try {
      if (!(await paymentMethod())) return;
      progress.hidden = false;
      polling = setInterval(pollProgress, 250);
      pollProgress();
      const response = await fetch("/signup", {
        method: "POST",
        headers: { "Accept": "application/json" },
        body: new URLSearchParams(new FormData(form)),
      });
      const body = await response.json().catch(function () { return {}; });
      stopPolling();
      if (response.ok && body.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      progress.hidden = true;
      // A request the user must change (declined card, taken email, …) gets a new key; an outage keeps it,
      // so "try again" resumes the same signup instead of starting a second one.
      if (response.status < 500) keyInput.value = crypto.randomUUID();
      showErrors(body.error || { message: "Something went wrong. Please try again." });
    } catch (err) {
      stopPolling();
      progress.hidden = true;
      showErrors({ message: "We could not reach Voxi. Check your connection and try again." });
    } finally {
      submit.disabled = false;
    }
  });

  show(0);
})();
