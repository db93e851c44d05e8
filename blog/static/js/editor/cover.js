/* The post editor: the cover picker offers images uploaded since the page was opened.
 *
 * The image uploader announces each upload ("rounds:media-uploaded", with the server's
 * answer and the alt text); its thumbnail joins the choices, after "No cover".
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var options = document.getElementById("cover-options");
  if (!options) return;

  document.addEventListener("rounds:media-uploaded", function (event) {
    var media = event.detail;
    if (options.querySelector('input[value="' + media.id + '"]')) return; // uploaded before
    var label = document.createElement("label");
    label.className = "cover-option";
    var input = document.createElement("input");
    input.className = "cover-option__input";
    input.type = "radio";
    input.name = "cover_media_id";
    input.value = String(media.id);
    var image = document.createElement("img");
    image.className = "cover-option__image";
    image.src = media.thumbnail;
    image.alt = media.alt;
    image.width = media.width;
    image.height = media.height;
    label.appendChild(input);
    label.appendChild(image);
    var none = options.firstElementChild;
    options.insertBefore(label, none ? none.nextSibling : null);
  });
})(window.RoundsEditor);
