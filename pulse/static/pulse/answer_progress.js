// The answer page's progress bar: how many questions have an answer so far. The page works
// without it (each question says "Question 3 of 13"); nothing here is sent anywhere.
(function () {
  "use strict";
  var form = document.getElementById("questions");
  if (!form) { return; }
  var bar = document.getElementById("answer-progress");
  var text = document.getElementById("answer-progress-text");
  var total = Number(form.getAttribute("data-question-count"));
  if (!bar || !text || !total) { return; }

  function answered() {
    var names = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      names[input.name] = true;
    });
    return Object.keys(names).length;
  }

  function update() {
    var count = answered();
    bar.value = count;
    text.textContent = count + " of " + total + " answered";
  }

  form.addEventListener("change", update);
  bar.parentNode.hidden = false;
  update();
})();
