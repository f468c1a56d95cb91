// The header's menu: open on wide screens, folded behind its "Menu" button on a phone (and at
// 200 % zoom, which narrows the page the same way). Without this script it simply stays open.
const menu = document.querySelector("[data-site-menu]");
if (menu) {
  const wide = window.matchMedia("(min-width: 48rem)");
  const follow = () => {
    menu.open = wide.matches;
  };
  follow();
  wide.addEventListener("change", follow);
}
