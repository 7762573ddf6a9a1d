"""A learning platform (an LMS) for codeplatform's LTI tests: lti1p3platform
from PyPI does the LTI 1.3 work (OIDC login, signed launches, the JWKS, the
token endpoint, Assignment and Grade Services); this file is only the LMS
around it: its course page, its gradebook, and the checks the package leaves
out (see the comments marked "the package").

Started by `testkit::lms::Lms` (`testkit/src/lms.rs`) under uvicorn on
loopback. Its issuer is its own base URL. The tool's URLs are set after
start (`POST /_control/tool`), since the tool's port is chosen later.

Fault knobs on `/launch` (`fault=`) make the launches an LMS must never
send, so that the tool's refusals are tested against tokens this platform
signed: aud, expired, signature, kid, issuer, deployment, message_type,
no_sub, future_iat; and foreign_ags, a grade service off the LMS's origin.
"""

import hashlib
import hmac
import html
import json
import os
import time
import urllib.parse
import uuid

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from lti1p3platform.exceptions import (
    LineItemNotFoundException,
    LtiDeepLinkingResponseException,
    LtiException,
    LtiServiceException,
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as LtiRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

BASE = os.environ["LMS_BASE"]  # http://127.0.0.1:<port>, also the issuer
CLIENT_ID = os.environ.get("LMS_CLIENT_ID", "codeplatform")
DEPLOYMENT_ID = os.environ.get("LMS_DEPLOYMENT_ID", "1")
# The LMS as an integration's server too: where codeplatform posts verdicts,
# signed with this secret (X-Codeplatform-Signature: sha256=<hex HMAC>).
CALLBACK_SECRET = os.environ.get("LMS_CALLBACK_SECRET", "").encode()
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def _key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


PRIVATE, PUBLIC = _key()
# A key the JWKS never lists: a launch signed with it has an unknown kid.
STRAY_PRIVATE, _ = _key()

# What the tests read back and steer.
TOOL = {"login": None, "launch": None, "deep_link": None, "jwks": None}
# reject_assertions: the token endpoint refuses every client assertion;
# revoked_before: AGS refuses access tokens issued before this (unix s);
# down: everything but /_* answers 503.
CONTROL = {"reject_assertions": False, "down": False, "revoked_before": 0}
LAUNCHES = {}  # lti_message_hint -> what to launch
LINEITEMS = {}  # id -> line item
SCORES = []  # every score posted, in order
DEEP_LINKS = []  # every content item returned
TOKENS = []  # every client assertion's claims, accepted or not
CALLBACKS = []  # every verdict posted to /integration/callback, checked
USED_JTI = set()


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        reg = (
            Registration()
            .set_iss(BASE)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(TOOL["login"])
            .set_launch_url(TOOL["launch"])
            .set_deeplink_launch_url(TOOL["deep_link"])
            .set_platform_private_key(PRIVATE)
            .set_platform_public_key(PUBLIC)
            .set_tool_key_set_url(TOOL["jwks"])
        )
        self._registration = reg

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return RedirectResponse(url, status_code=302)


class Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, params):
        super().__init__(None, Platform())
        self._params = params
        self._fault = None

    def get_preflight_response(self):
        return self._params

    def prepare_launch(self, p):
        # The package checks only that nonce, state and redirect_uri are there
        # and the client id: the rest of OIDC's authentication request here.
        c = LAUNCHES.get(p.get("lti_message_hint", ""))
        expected = TOOL["deep_link"] if c and c["deep_link"] else TOOL["launch"]
        if not (
            c
            and p.get("login_hint") == c["user"]
            and p.get("response_type") == "id_token"
            and "openid" in p.get("scope", "").split()
            and p.get("response_mode") == "form_post"
            and p.get("prompt") == "none"
            and p.get("redirect_uri") == expected
        ):
            raise PreflightRequestValidationException("bad authentication request")
        self._fault = c["fault"]
        if c["fault"] != "no_sub":
            self.set_user_data(c["user"], c["roles"], full_name=c["name"] or None)
        else:
            self.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/roles": c["roles"]})
        self.set_launch_context_claim(c["context"], None, "A course", "C1")
        if c["custom"]:
            self.set_custom_parameters_claim(c["custom"])
        if c["student_number"]:
            self.set_extra_claims(
                {"https://purl.imsglobal.org/spec/lti/claim/lis": {"person_sourcedid": c["student_number"]}}
            )
        if c["deep_link"]:
            self.set_dl(
                f"{BASE}/deep-link-return",
                title="Add an activity",
                accept_types={"ltiResourceLink"},
                extra_data="opaque-" + c["hint"],
            )
        else:
            self.set_resource_link_claim(c["resource_link"], title="An activity")
        if c["ags"]:
            # foreign_ags: a grade service on another origin than the LMS's.
            where = "http://127.0.0.1:9" if c["fault"] == "foreign_ags" else BASE
            self.set_ags(f"{where}/lineitems", c["lineitem"], allow_creating_lineitems=True)
        now = int(time.time())
        faults = {
            "aud": {"aud": "someone-else", "azp": "someone-else"},
            "issuer": {"iss": BASE + "/elsewhere"},
            "deployment": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "no-such-deployment"},
            "message_type": {"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiStrangeRequest"},
        }
        if c["fault"] in faults:
            self.set_extra_claims(faults[c["fault"]])
        if c["fault"] == "expired":
            self.set_id_token_expiration(-600)
        if c["fault"] == "future_iat":
            self.set_extra_claims({"iat": now + 3600})

    def render_launch_form(self, data, **kwargs):
        token = data["id_token"]
        if self._fault == "signature":
            head, body, sig = token.split(".")
            claims = json.loads(pyjwt.utils.base64url_decode(body))
            claims["sub"] = "someone-else"
            body = pyjwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
            token = ".".join([head, body, sig])
        elif self._fault == "kid":
            claims = pyjwt.decode(token, options={"verify_signature": False})
            token = pyjwt.encode(claims, STRAY_PRIVATE, algorithm="RS256", headers={"kid": "rotated-away"})
        elif self._fault == "future_iat":
            claims = pyjwt.decode(token, options={"verify_signature": False})
            claims["iat"] = int(time.time()) + 3600
            token = pyjwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": Platform().get_registration().get_kid()})
        f = {k: html.escape(str(v), quote=True) for k, v in (("action", data["launch_url"]), ("id_token", token), ("state", data["state"]))}
        # The package's own template does not escape; this one does.
        return HTMLResponse(
            "<!doctype html><title>Launching</title>"
            f'<form method="post" action="{f["action"]}" id="launch">'
            f'<input type="hidden" name="id_token" value="{f["id_token"]}">'
            f'<input type="hidden" name="state" value="{f["state"]}">'
            '<button type="submit">Continue</button></form>'
            "<script>document.getElementById('launch').submit()</script>"
        )


class Grades(AssignmentsGradesService):
    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None, tag=None):
        items = [
            li
            for li in LINEITEMS.values()
            if resource_link_id in (None, li.get("resourceLinkId"))
            and resource_id in (None, li.get("resourceId"))
            and tag in (None, li.get("tag"))
        ]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        for li in LINEITEMS.values():
            if li["id"].rsplit("/", 1)[-1] == line_item_id:
                return li
        raise LineItemNotFoundException(line_item_id)

    def create_lineitem(self, data):
        # The package passes the body through unchecked.
        if not (isinstance(data, dict) and data.get("label") and isinstance(data.get("scoreMaximum"), (int, float)) and data["scoreMaximum"] > 0):
            raise LtiServiceException("label and a scoreMaximum above 0 are required", 400)
        key = uuid.uuid4().hex[:8]
        LINEITEMS[key] = dict(data, id=f"{BASE}/lineitems/{key}")
        return LINEITEMS[key]

    def update_lineitem(self, data):
        raise LtiServiceException("not supported here", 405)

    def delete_lineitem(self, line_item_id):
        raise LtiServiceException("not supported here", 405)

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        raise LtiServiceException("not supported here", 405)

    def update_score(self, line_item_id, score):
        self.find_lineitem(line_item_id)
        # The package does not look at the score (its TODO): AGS 2.0's rules.
        required = {"userId", "scoreGiven", "scoreMaximum", "timestamp", "activityProgress", "gradingProgress"}
        if not isinstance(score, dict) or not required <= score.keys():
            raise LtiServiceException("a score needs " + ", ".join(sorted(required)), 400)
        if not (isinstance(score["scoreGiven"], (int, float)) and 0 <= score["scoreGiven"] <= score["scoreMaximum"]):
            raise LtiServiceException("scoreGiven must lie in 0..scoreMaximum", 400)
        SCORES.append(dict(score, lineitem=f"{BASE}/lineitems/{line_item_id}", received_at=time.time()))
        return UpdateScoreStatus.SUCCESS


class DictRequest(LtiRequest):
    def build_metadata(self, request):
        return request


app = FastAPI()


@app.middleware("http")
async def outage(request: Request, call_next):
    # A "down" LMS answers nothing useful to the tool's back channel.
    if CONTROL["down"] and not request.url.path.startswith("/_"):
        return JSONResponse({"error": "down for maintenance"}, status_code=503)
    return await call_next(request)


@app.get("/jwks")
def jwks():
    return Platform().get_jwks()


@app.post("/_control/tool")
async def set_tool(request: Request):
    TOOL.update(await request.json())
    return TOOL


@app.post("/_control/rotate")
def rotate():
    """A new signing key, the only one the JWKS lists from now on."""
    global PRIVATE, PUBLIC
    PRIVATE, PUBLIC = _key()
    return {"kid": Platform().get_registration().get_kid()}


@app.post("/_control/faults")
async def set_faults(request: Request):
    CONTROL.update(await request.json())
    return CONTROL


@app.get("/_state")
def state():
    return {"lineitems": list(LINEITEMS.values()), "scores": SCORES, "deep_links": DEEP_LINKS, "tokens": TOKENS, "callbacks": CALLBACKS}


@app.post("/integration/callback")
async def integration_callback(request: Request):
    """Takes a verdict only when its signature is the secret's."""
    body = await request.body()
    expected = "sha256=" + hmac.new(CALLBACK_SECRET, body, hashlib.sha256).hexdigest()
    given = request.headers.get("x-codeplatform-signature", "")
    if not CALLBACK_SECRET or not hmac.compare_digest(expected, given):
        return JSONResponse({"error": "bad signature"}, status_code=401)
    CALLBACKS.append(json.loads(body))
    return {"ok": True}


def _launch_record(request: Request):
    q = request.query_params
    hint = uuid.uuid4().hex
    custom = {}
    if q.get("assignment"):
        custom["assignment"] = q["assignment"]
    LAUNCHES[hint] = {
        "hint": hint,
        "user": q.get("user", "learner-1"),
        "name": q.get("name", ""),
        "student_number": q.get("student_number", ""),
        "roles": q.get("roles", LEARNER).split(","),
        "context": q.get("context", "42"),
        "resource_link": q.get("resource_link", "link-1"),
        "custom": custom,
        "deep_link": q.get("deep_link") == "1",
        "ags": q.get("ags", "1") == "1",
        "lineitem": q.get("lineitem") or None,
        "fault": q.get("fault"),
    }
    return hint


@app.get("/launch")
def launch(request: Request):
    """Starts a launch as the platform would: a redirect to the tool's login."""
    hint = _launch_record(request)
    c = LAUNCHES[hint]
    login = Login(None, Platform())
    login.set_lti_message_hint(hint=hint)
    if c["deep_link"]:
        login.set_deeplinking_launch_url()
    return login.initiate_login(c["user"])


@app.get("/course", response_class=HTMLResponse)
def course(request: Request):
    """The LMS's course page: a form post to the tool's login (third-party
    initiated login), or the same launch in an iframe (`frame=1`)."""
    hint = _launch_record(request)
    c = LAUNCHES[hint]
    target = TOOL["deep_link"] if c["deep_link"] else TOOL["launch"]
    if request.query_params.get("frame") == "1":
        query = urllib.parse.urlencode(
            {
                "iss": BASE,
                "login_hint": c["user"],
                "target_link_uri": target,
                "lti_message_hint": hint,
                "client_id": CLIENT_ID,
                "lti_deployment_id": DEPLOYMENT_ID,
            }
        )
        src = html.escape(f"{TOOL['login']}?{query}", quote=True)
        return f'<!doctype html><title>Course</title><h1>Course</h1><iframe id="tool" title="codeplatform" src="{src}" width="1000" height="700"></iframe>'
    fields = {
        "iss": BASE,
        "login_hint": c["user"],
        "target_link_uri": target,
        "lti_message_hint": hint,
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v, quote=True)}">' for k, v in fields.items())
    action = html.escape(TOOL["login"], quote=True)
    return f'<!doctype html><title>Course</title><h1>Course</h1><form method="post" action="{action}">{inputs}<button id="open-tool" type="submit">Open the activity</button></form>'


@app.get("/gradebook", response_class=HTMLResponse)
def gradebook():
    rows = "".join(
        f'<tr><td class="user">{html.escape(s["userId"])}</td><td class="item">{html.escape(s["lineitem"])}</td>'
        f'<td class="score">{html.escape(str(s["scoreGiven"]))}</td></tr>'
        for s in SCORES
    )
    return f'<!doctype html><title>Gradebook</title><table id="grades"><tr><th>user</th><th>item</th><th>score</th></tr>{rows}</table>'


@app.api_route("/authorize", methods=["GET", "POST"])
async def authorize(request: Request):
    params = dict(request.query_params) if request.method == "GET" else dict(await request.form())
    try:
        return Launch(params).lti_launch()
    except PreflightRequestValidationException as e:
        return JSONResponse({"error": "invalid_request", "detail": str(e)}, status_code=400)


@app.post("/token")
async def token(request: Request):
    form, platform = dict(await request.form()), Platform()
    try:
        answer = await run_in_threadpool(platform.get_access_token, form)
    except UnsupportedGrantType:
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    except MissingRequiredClaim as e:
        return JSONResponse({"error": "invalid_request", "error_description": str(e)}, status_code=400)
    except (pyjwt.PyJWTError, LtiException) as e:
        return JSONResponse({"error": "invalid_client", "error_description": str(e)}, status_code=401)
    # The package checks only the assertion's signature: RFC 7523's rules.
    claims = platform._jwt["body"]
    TOKENS.append(claims)
    aud = claims.get("aud")
    fresh = isinstance(claims.get("exp"), int) and isinstance(claims.get("iat"), int) and claims["exp"] - claims["iat"] <= 3600
    if (
        CONTROL["reject_assertions"]
        or form.get("client_assertion_type") != ASSERTION_TYPE
        or claims.get("iss") != CLIENT_ID
        or claims.get("sub") != CLIENT_ID
        or not fresh
        or not claims.get("jti")
        or claims["jti"] in USED_JTI
        or f"{BASE}/token" not in (aud if isinstance(aud, list) else [aud])
    ):
        return JSONResponse({"error": "invalid_client", "error_description": "the client assertion is refused"}, status_code=401)
    USED_JTI.add(claims["jti"])
    return answer


async def _ags(request: Request, handler, content_type=None, **kwargs):
    if content_type and request.headers.get("content-type", "").split(";")[0].strip() != content_type:
        return JSONResponse({"error": f"Content-Type must be {content_type}"}, status_code=415)
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
    try:
        issued = pyjwt.decode(bearer, options={"verify_signature": False}).get("iat", 0)
    except pyjwt.PyJWTError:
        issued = 0
    if issued and issued < CONTROL["revoked_before"]:
        return JSONResponse({"error": "the access token was revoked"}, status_code=401)
    body = await request.body()
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return JSONResponse({"error": "not JSON"}, status_code=400)
    query = {k: v for k, v in request.query_params.items() if k in ("resource_link_id", "resource_id", "tag")}
    service = Grades(
        DictRequest(
            {
                "method": request.method,
                "form_data": {},
                "get_data": query,
                "json": payload,
                "headers": request.headers,
                "content_type": request.headers.get("content-type"),
                "path": request.url.path,
            }
        ),
        Platform(),
        f"{BASE}/lineitems",
    )
    try:
        r = service.handle_resp(getattr(service, handler), **kwargs)
    except (pyjwt.PyJWTError, LtiException) as e:
        # The package lets a bad token out as an exception (a 500).
        return JSONResponse({"error": str(e)}, status_code=401)
    if not 200 <= r.code < 300:
        return JSONResponse({"error": r.message}, status_code=r.code)
    if r.result is None:
        return Response(status_code=r.code)
    body = r.result.get("content", r.result) if isinstance(r.result, dict) and "has_next" in r.result else r.result
    return JSONResponse(body, status_code=r.code)


@app.get("/lineitems")
async def list_lineitems(request: Request):
    return await _ags(request, "handle_get_lineitems")


@app.post("/lineitems")
async def create_lineitem(request: Request):
    return await _ags(request, "handle_create_lineitem", LINEITEM_TYPE)


@app.get("/lineitems/{key}")
async def get_lineitem(request: Request, key: str):
    return await _ags(request, "handle_get_lineitem", line_item_id=key)


@app.post("/lineitems/{key}/scores")
async def post_score(request: Request, key: str):
    return await _ags(request, "handle_update_score", SCORE_TYPE, line_item_id=key)


@app.post("/deep-link-return")
async def deep_link_return(request: Request):
    form = dict(await request.form())
    platform = Platform()
    platform.set_accepted_deeplinking_types(["ltiResourceLink"])
    try:
        items = await run_in_threadpool(platform.validate_deeplinking_resp, form)
    except (KeyError, pyjwt.PyJWTError, LtiException, LtiDeepLinkingResponseException) as e:
        return JSONResponse({"error": repr(e)}, status_code=400)
    # The package does not check the response's iss, aud, deployment or data.
    b = platform._jwt["body"]
    if (
        b.get("iss") != CLIENT_ID
        or b.get("aud") not in (BASE, [BASE])
        or b.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id") != DEPLOYMENT_ID
        or not str(b.get("https://purl.imsglobal.org/spec/lti-dl/claim/data", "")).startswith("opaque-")
    ):
        return JSONResponse({"error": "iss, aud, deployment or data do not match"}, status_code=400)
    DEEP_LINKS.extend(items)
    titles = "".join(f"<li>{html.escape(str(i.get('title', '')))}</li>" for i in items)
    return HTMLResponse(f'<!doctype html><title>Added</title><h1 id="added">Added</h1><ul>{titles}</ul>')
