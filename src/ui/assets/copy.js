// Progressive enhancement: a "Copy key" button on the enrolment page. Without scripts the key stays selectable.
for (const button of document.querySelectorAll('button.copy[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(button.dataset.copy).then(() => {
      button.textContent = 'Copied';
    });
  });
}
