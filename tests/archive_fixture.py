"""A LinkedIn "copy of your data" archive built in the tests, with the quirks of real exports:
Connections.csv's preamble and BOM, multi-line quoted message bodies, group threads with several
recipient URLs, a draft, a bad date, endorsee URLs without their scheme, a file in a folder."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

OWNER_URL = "https://www.linkedin.com/in/jordan-lee"
PRIYA = "https://www.linkedin.com/in/priya-shah"
TOM = "https://www.linkedin.com/in/tom-ng"
SAM = "https://www.linkedin.com/in/sam-reed"
ANA_SENDER = "https://www.linkedin.com/in/ACoAAB-ana"  # her messages carry a URL her connection row lacks
STRANGER = "https://www.linkedin.com/in/stranger-sales"

PITCH = "Great to connect! Book a demo of our platform this week: 20% off for new clients."
SHARE = (
    'Saw your talk on SLOs.\nHere is the error budget write-up I mentioned: https://example.com/slo\n"Hope it helps."'
)
INTRO = "Priya, meet Tom: you both run on-call for payments. Tom, Priya wrote the best postmortem template I know."
ANA_GIVE = "Thought of you: a write-up on platform teams https://example.com/platform"
INVITE_PITCH = "Hi Sam, we help companies like yours cut cloud costs by 30%. Open to a quick call?"


def _csv(header: list[str], rows: list[list[str]], bom: bool = False) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


CONNECTIONS = (
    '\ufeffNotes:\r\n"When exporting your connection data, you may notice that some of the email addresses are missing."\r\n\r\n'
    + _csv(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        [
            ["Priya", "Shah", PRIYA, "", "Acme, Inc.", "SRE Lead", "01 Aug 2026"],
            ["Tom", "Ng", TOM, "", "Beta", "CTO", "15 Jul 2026"],
            ["Ana", "Lopez", "", "", "Gamma", "VP Engineering", "01 Jun 2025"],
            ["Sam", "Reed", SAM, "", "Delta", "Engineer", "01 Jan 2024"],
            ["Alex", "Kim", "", "", "One", "Dev", "01 Jan 2024"],
            ["Alex", "Kim", "https://www.linkedin.com/in/alex-kim-2", "", "Two", "Dev", "01 Jan 2024"],
        ],
    )
)
MESSAGE_HEADER = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "IS MESSAGE DRAFT",
    "IS CONVERSATION ARCHIVED",
    "ATTACHMENTS",
]


def _msg(conv, frm, frm_url, to, to_urls, date, content, draft="No"):
    return [conv, "", frm, frm_url, to, to_urls, date, "", content, "INBOX", draft, "No", ""]


MESSAGES = _csv(
    MESSAGE_HEADER,
    [
        _msg("2-PRIYA==", "Jordan Lee", OWNER_URL, "Priya Shah", PRIYA, "2026-08-02 10:00:00 UTC", PITCH),
        _msg(
            "2-PRIYA==",
            "Priya Shah",
            PRIYA,
            "Jordan Lee",
            OWNER_URL,
            "2026-08-03 08:00:00 UTC",
            "Not for us, thanks.\x1b[31m",
        ),
        _msg("2-TOM==", "Jordan Lee", OWNER_URL, "Tom Ng", TOM, "2026-07-20 09:00:00 UTC", SHARE),
        _msg(
            "2-GROUP==",
            "Jordan Lee",
            OWNER_URL,
            "Priya Shah, Tom Ng",
            f"{PRIYA},{TOM}",
            "2026-08-10 12:00:00 UTC",
            INTRO,
        ),
        _msg("2-ANA==", "Jordan Lee", OWNER_URL, "Ana Lopez", ANA_SENDER, "2026-08-04 09:00:00 UTC", ANA_GIVE),
        _msg(
            "2-ANA==",
            "Ana Lopez",
            ANA_SENDER,
            "Jordan Lee",
            OWNER_URL,
            "2026-08-05 18:30:00 UTC",
            "Thank you!\n\nThis is [bold]great[/]",
        ),
        _msg(
            "2-STRANGER==", "Max Sales", STRANGER, "Jordan Lee", OWNER_URL, "2026-08-06 07:00:00 UTC", "Buy my course"
        ),
        _msg(
            "2-TOM==",
            "Jordan Lee",
            OWNER_URL,
            "Tom Ng",
            TOM,
            "2026-08-20 09:00:00 UTC",
            "Draft I never sent",
            draft="Yes",
        ),
        _msg("2-TOM==", "Tom Ng", TOM, "Jordan Lee", OWNER_URL, "sometime in August", "bad date"),
    ],
)
INVITATIONS = _csv(
    ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
    [
        ["Jordan Lee", "Sam Reed", "12/30/23, 9:00 AM", INVITE_PITCH, "OUTGOING", OWNER_URL, SAM],
        ["Tom Ng", "Jordan Lee", "7/15/26, 6:12 PM", "", "INCOMING", TOM, OWNER_URL],
        ["Jordan Lee", "Priya Shah", "7/31/26, 10:00 AM", "", "OUTGOING", OWNER_URL, PRIYA],
    ],
)
ENDORSEMENTS = _csv(
    [
        "Endorsement Date",
        "Skill Name",
        "Endorsee First Name",
        "Endorsee Last Name",
        "Endorsee Public Url",
        "Endorsement Status",
    ],
    [
        ["2026/08/06 10:00:00 UTC", "Kubernetes", "Tom", "Ng", "www.linkedin.com/in/tom-ng", "ACCEPTED"],
        ["2026/08/06 10:01:00 UTC", "Sales", "Max", "Sales", "www.linkedin.com/in/stranger-sales", "ACCEPTED"],
    ],
)
RECOMMENDATIONS = _csv(
    ["First Name", "Last Name", "Company", "Job Title", "Text", "Creation Date", "Status"],
    [
        [
            "Sam",
            "Reed",
            "Delta",
            "Engineer",
            "Sam rebuilt our deploy pipeline and taught the team how.",
            "03/14/24, 10:22 AM",
            "VISIBLE",
        ],
    ],
)
SHARES = _csv(
    ["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"],
    [
        [
            "2026-08-11 08:30:00",
            "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7100000000000000001",
            "Error budgets are a contract.",
            "",
            "",
            "MEMBER_NETWORK",
        ],
    ],
)
PROFILE = _csv(
    ["First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary", "Industry"],
    [["Jordan", "Lee", "", "", "", "Reliability consultant", "", "IT"]],
)

FILES = {
    "Connections.csv": CONNECTIONS,
    "messages.csv": MESSAGES,
    "Invitations.csv": INVITATIONS,
    "Endorsement_Given_Info.csv": ENDORSEMENTS,
    "Recommendations_Given.csv": RECOMMENDATIONS,
    "Shares.csv": SHARES,
    "Profile.csv": PROFILE,
}


def write_zip(
    path: Path, files: dict[str, str] | None = None, folder_for: tuple[str, ...] = ("Recommendations_Given.csv",)
) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in (files or FILES).items():
            z.writestr(f"Recommendations/{name}" if name in folder_for else name, text.encode("utf-8"))
    return path


def write_folder(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in (files or FILES).items():
        (path / name).write_bytes(text.encode("utf-8"))
    return path
