"""Parse HTML with a real (HTML5) parser and report anything that could run script."""

import html5lib

DANGEROUS_TAGS = {
    "script", "svg", "math", "iframe", "object", "embed", "style", "base", "form", "frame",
    "frameset", "link", "meta", "applet", "template", "input", "button", "textarea", "select",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def script_risks(fragment: str) -> list[str]:
    """Every element or attribute in ``fragment`` that can run script, as readable strings."""
    tree = html5lib.parse(f"<body>{fragment}</body>", namespaceHTMLElements=True)
    risks = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element.tag)
        if name in DANGEROUS_TAGS:
            risks.append(f"<{name}>")
        if "{http://www.w3.org/2000/svg}" in element.tag or "MathML" in element.tag:
            risks.append(f"foreign element {element.tag}")
        for attribute, value in element.attrib.items():
            attr = local_name(attribute)
            if attr.startswith("on"):
                risks.append(f"{name} {attr}=")
            if attr == "style":
                risks.append(f"{name} style=")
            if attr in URL_ATTRIBUTES:
                squashed = "".join(ch for ch in value if ch > " ").lower()
                if squashed.startswith(BAD_SCHEMES):
                    risks.append(f"{name} {attr}={value!r}")
    return risks


def json_ld(page: str) -> list[dict]:
    """The JSON-LD documents of a page, parsed."""
    import json

    tree = html5lib.parse(page, namespaceHTMLElements=False)
    return [
        json.loads(script.text)
        for script in tree.iter("script")
        if script.get("type") == "application/ld+json"
    ]
