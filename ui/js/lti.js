// The pages an LTI exchange answers with (programming-api/src/lti/pages.rs):
// a landing keeps the sign-in where the learner's page (localStorage) or the
// staff pages (sessionStorage) keep it, then goes there; a deep-linking
// answer posts its signed pick back to the LMS. The data comes in data-*
// attributes: the Content-Security-Policy runs no inline script.

const landing = document.getElementById('lti-landing');
if (landing) {
  const { store, key, value, to } = landing.dataset;
  (store === 'session' ? sessionStorage : localStorage).setItem(key, value);
  location.replace(to);
}

const back = document.getElementById('lti-return');
if (back) back.submit();
