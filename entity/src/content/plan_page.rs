//! The cross-sector plan as the family reads it: a printable HTML page and a PDF of the same.
//!
//! Built from a [`PlanView`] — the current plan version with its closed agenda items already
//! left out, and no CPR number — so that what a guardian or the young person sees through
//! their personal link is decided once, where the view is assembled, not in each format.
//!
//! The PDF uses the standard Helvetica faces in WinAnsi encoding (every letter of Danish is in
//! it), so it embeds no font and stays a few kilobytes; lines are broken by the faces' own
//! advance widths (Adobe's AFM metrics).

use chrono::NaiveDate;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::content::texts::{date, escape_html};
use crate::domain::enums::{AgreementStatus, Language};

/// One agreement as the family reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementLine {
    /// What will be done.
    pub description: String,
    /// Who does it: a name, with their organization or relation.
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
    /// Whether it is still to be done, done, or dropped.
    pub status: AgreementStatus,
}

/// A responsible contact the family can turn to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactLine {
    /// The sector's name.
    pub sector: String,
    /// The person and their organization.
    pub name: String,
}

/// The current plan, as shown to the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    /// The page's language.
    pub language: Language,
    /// The child's first name (never the CPR number).
    pub child_first_name: String,
    /// The plan version.
    pub version: i32,
    /// The meeting that wrote it: its kind's name.
    pub meeting: String,
    /// The day the version was written, in Copenhagen time.
    pub written_on: NaiveDate,
    /// The child's own wishes.
    pub child_wishes: Option<String>,
    /// The family's wishes.
    pub family_wishes: Option<String>,
    /// Challenges, most important first (open agenda items only).
    pub challenges: Vec<String>,
    /// Resources, most important first (open agenda items only).
    pub resources: Vec<String>,
    /// The agreements.
    pub agreements: Vec<AgreementLine>,
    /// The responsible contacts.
    pub contacts: Vec<ContactLine>,
}

struct Words {
    title: &'static str,
    intro: &'static str,
    child_wishes: &'static str,
    family_wishes: &'static str,
    challenges: &'static str,
    resources: &'static str,
    agreements: &'static str,
    what: &'static str,
    who: &'static str,
    by: &'static str,
    status: &'static str,
    contacts: &'static str,
    none: &'static str,
    written: &'static str,
    page: &'static str,
    of: &'static str,
}

const DA: Words = Words {
    title: "Fælles plan",
    intro: "Planen er skrevet på jeres møde med de fagpersoner, der er med omkring barnet. \
            Den viser, hvad I har aftalt, og hvem der har ansvaret.",
    child_wishes: "Barnets egne ønsker",
    family_wishes: "Familiens ønsker",
    challenges: "Det, der er svært",
    resources: "Det, der går godt",
    agreements: "Aftaler",
    what: "Hvad",
    who: "Hvem",
    by: "Senest",
    status: "Status",
    contacts: "Jeres kontaktpersoner",
    none: "Intet skrevet.",
    written: "skrevet",
    page: "Side",
    of: "af",
};

const EN: Words = Words {
    title: "Shared plan",
    intro: "The plan was written at your meeting with the professionals around the child. \
            It shows what you agreed and who is responsible.",
    child_wishes: "The child's own wishes",
    family_wishes: "The family's wishes",
    challenges: "What is hard",
    resources: "What is going well",
    agreements: "Agreements",
    what: "What",
    who: "Who",
    by: "By",
    status: "Status",
    contacts: "Your contact persons",
    none: "Nothing written.",
    written: "written",
    page: "Page",
    of: "of",
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::Da => &DA,
        Language::En => &EN,
    }
}

/// An agreement's status in words.
#[must_use]
pub fn status_name(status: AgreementStatus, language: Language) -> &'static str {
    match (status, language) {
        (AgreementStatus::Open, Language::Da) => "I gang",
        (AgreementStatus::Done, Language::Da) => "Udført",
        (AgreementStatus::Cancelled, Language::Da) => "Droppet",
        (AgreementStatus::Open, Language::En) => "Under way",
        (AgreementStatus::Done, Language::En) => "Done",
        (AgreementStatus::Cancelled, Language::En) => "Dropped",
    }
}

impl PlanView {
    /// The page's title: "Fælles plan for Emma".
    #[must_use]
    pub fn title(&self) -> String {
        let w = words(self.language);
        match self.language {
            Language::Da => format!("{} for {}", w.title, self.child_first_name),
            Language::En => format!("{} for {}", w.title, self.child_first_name),
        }
    }

    /// "Version 3, skrevet på netværksmødet 10. marts 2027" — the line under the title.
    #[must_use]
    pub fn subtitle(&self) -> String {
        let w = words(self.language);
        format!(
            "Version {} · {} · {} {}",
            self.version,
            self.meeting,
            w.written,
            date(self.written_on, self.language)
        )
    }
}

/// The body of the HTML page (inside `<body>`, after the title), every text escaped.
#[must_use]
pub fn html_body(view: &PlanView, pdf_href: &str) -> String {
    let w = words(view.language);
    let l = view.language;
    let mut out = String::with_capacity(4096);
    let mut push = |s: &str| out.push_str(s);
    push(&format!(
        "<p class=\"sub\">{}</p><p>{}</p>",
        escape_html(&view.subtitle()),
        escape_html(w.intro)
    ));
    let prose = |heading: &str, text: &Option<String>| -> String {
        let body = text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map_or_else(
                || format!("<p class=\"none\">{}</p>", escape_html(w.none)),
                |t| format!("<p>{}</p>", escape_html(t)),
            );
        format!("<h2>{}</h2>{body}", escape_html(heading))
    };
    push(&prose(w.child_wishes, &view.child_wishes));
    push(&prose(w.family_wishes, &view.family_wishes));
    let list = |heading: &str, items: &[String]| -> String {
        if items.is_empty() {
            return format!(
                "<h2>{}</h2><p class=\"none\">{}</p>",
                escape_html(heading),
                escape_html(w.none)
            );
        }
        let lis: String = items
            .iter()
            .map(|i| format!("<li>{}</li>", escape_html(i)))
            .collect();
        format!("<h2>{}</h2><ol>{lis}</ol>", escape_html(heading))
    };
    push(&list(w.challenges, &view.challenges));
    push(&list(w.resources, &view.resources));
    push(&format!("<h2>{}</h2>", escape_html(w.agreements)));
    if view.agreements.is_empty() {
        push(&format!("<p class=\"none\">{}</p>", escape_html(w.none)));
    } else {
        push(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            w.what, w.who, w.by, w.status
        ));
        for a in &view.agreements {
            push(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape_html(&a.description),
                escape_html(&a.owner),
                escape_html(&date(a.due_on, l)),
                escape_html(status_name(a.status, l))
            ));
        }
        push("</tbody></table>");
    }
    if !view.contacts.is_empty() {
        push(&format!("<h2>{}</h2><ul>", escape_html(w.contacts)));
        for c in &view.contacts {
            push(&format!(
                "<li>{}: {}</li>",
                escape_html(&c.sector),
                escape_html(&c.name)
            ));
        }
        push("</ul>");
    }
    let (pdf, print) = match l {
        Language::Da => (
            "Hent planen som PDF",
            "Planen kan udskrives fra browserens menu.",
        ),
        Language::En => (
            "Download the plan as PDF",
            "The plan can be printed from the browser's menu.",
        ),
    };
    push(&format!(
        "<p class=\"noprint\"><a href=\"{}\">{}</a> · {}</p>",
        escape_html(pdf_href),
        escape_html(pdf),
        escape_html(print)
    ));
    out
}

/// The style the plan page adds to the public pages' style.
pub const STYLE: &str = "h2{font-size:1.1rem;margin-top:1.5rem}.sub{color:#555}.none{color:#777}\
     table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;\
     padding:.3rem .5rem .3rem 0;border-bottom:1px solid #ddd}\
     @media print{.noprint{display:none}body{margin:0;max-width:none}}";

// ---------------------------------------------------------------------------------------
// PDF

/// A4 in points.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn name(self) -> Name<'static> {
        match self {
            Self::Regular => Name(b"F1"),
            Self::Bold => Name(b"F2"),
        }
    }
}

/// Helvetica's advance widths for ASCII 32–126 (1/1000 em), in WinAnsi's code order.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Helvetica-Bold's advance widths for ASCII 32–126.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The WinAnsi byte for `c`, or `?` for a character the encoding lacks.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '\t' | '\n' | '\r' => b' ',
        _ => b'?',
    }
}

/// The width of WinAnsi byte `b` in `face`, 1/1000 em.
fn advance(b: u8, face: Face) -> f32 {
    let table = match face {
        Face::Regular => &HELVETICA,
        Face::Bold => &HELVETICA_BOLD,
    };
    let w = match b {
        32..=126 => table[usize::from(b - 32)],
        // æ Æ ø Ø å Å and their kin: as wide as in the AFM files.
        0xE6 => 889,
        0xC6 => 1000,
        0xF8 | 0xDF => 611,
        0xD8 => 778,
        0xC5 if face == Face::Bold => 722,
        0xC0..=0xC5 => 667,
        0xC7..=0xCF => 667,
        0xD0..=0xDE => 722,
        0x96 | 0x80 | 0xE0..=0xFF => 556,
        0x97 | 0x85 | 0x89 => 1000,
        0x95 => 350,
        _ => 333,
    };
    f32::from(w)
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

fn width(bytes: &[u8], face: Face, size: f32) -> f32 {
    bytes.iter().map(|&b| advance(b, face)).sum::<f32>() * size / 1000.0
}

/// Breaks `text` into lines no wider than `max` points (a word longer than a line is cut).
fn wrap(text: &str, face: Face, size: f32, max: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line: Vec<u8> = Vec::new();
        for word in paragraph.split_whitespace() {
            let mut word = encode(word);
            let candidate_width = if line.is_empty() {
                width(&word, face, size)
            } else {
                width(&line, face, size) + width(b" ", face, size) + width(&word, face, size)
            };
            if candidate_width <= max {
                if !line.is_empty() {
                    line.push(b' ');
                }
                line.append(&mut word);
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            while width(&word, face, size) > max {
                let mut cut = word.len();
                while cut > 1 && width(&word[..cut], face, size) > max {
                    cut -= 1;
                }
                let rest = word.split_off(cut);
                lines.push(std::mem::replace(&mut word, rest));
            }
            line = word;
        }
        lines.push(line);
    }
    lines
}

/// Lays text out on A4 pages, top to bottom.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let mut layout = Self {
            pages: Vec::new(),
            y: 0.0,
        };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn current(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn room(&mut self, needed: f32) {
        if self.y - needed < MARGIN {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, bytes: &[u8], face: Face, size: f32) {
        let y = self.y;
        let c = self.current();
        c.begin_text();
        c.set_font(face.name(), size);
        c.next_line(x, y);
        c.show(Str(bytes));
        c.end_text();
    }

    /// A paragraph at `x`, `max` wide.
    fn paragraph(&mut self, text: &str, face: Face, size: f32, x: f32, max: f32) {
        let leading = size * 1.35;
        for line in wrap(text, face, size, max) {
            self.room(leading);
            self.y -= leading;
            self.text_at(x, &line, face, size);
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn heading(&mut self, text: &str) {
        // Keep a heading with at least two lines of what follows it.
        self.room(14.0 * 1.35 + 8.0 + 3.0 * BODY * 1.35);
        self.gap(8.0);
        self.paragraph(text, Face::Bold, 13.0, MARGIN, PAGE_W - 2.0 * MARGIN);
        self.gap(2.0);
    }

    fn rule(&mut self) {
        let y = self.y - 3.0;
        let c = self.current();
        c.set_line_width(0.5);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_W - MARGIN, y);
        c.stroke();
        self.y -= 6.0;
    }
}

/// The plan as a PDF: A4, the same content and order as the HTML page.
#[must_use]
pub fn pdf(view: &PlanView) -> Vec<u8> {
    let w = words(view.language);
    let l = view.language;
    let full = PAGE_W - 2.0 * MARGIN;
    let mut layout = Layout::new();
    layout.paragraph(&view.title(), Face::Bold, 18.0, MARGIN, full);
    layout.gap(2.0);
    layout.paragraph(&view.subtitle(), Face::Regular, 9.5, MARGIN, full);
    layout.gap(6.0);
    layout.paragraph(w.intro, Face::Regular, BODY, MARGIN, full);
    let prose = |layout: &mut Layout, heading: &str, text: &Option<String>| {
        layout.heading(heading);
        let text = text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(w.none);
        layout.paragraph(text, Face::Regular, BODY, MARGIN, full);
    };
    prose(&mut layout, w.child_wishes, &view.child_wishes);
    prose(&mut layout, w.family_wishes, &view.family_wishes);
    for (heading, items) in [
        (w.challenges, &view.challenges),
        (w.resources, &view.resources),
    ] {
        layout.heading(heading);
        if items.is_empty() {
            layout.paragraph(w.none, Face::Regular, BODY, MARGIN, full);
        }
        for (i, item) in items.iter().enumerate() {
            let number = format!("{}.", i + 1);
            layout.room(BODY * 1.35);
            let top = layout.y;
            layout.paragraph(item, Face::Regular, BODY, MARGIN + 18.0, full - 18.0);
            let after = layout.y;
            layout.y = top - BODY * 1.35;
            layout.text_at(MARGIN, &encode(&number), Face::Regular, BODY);
            layout.y = after;
        }
    }
    layout.heading(w.agreements);
    if view.agreements.is_empty() {
        layout.paragraph(w.none, Face::Regular, BODY, MARGIN, full);
    }
    for a in &view.agreements {
        layout.room(3.0 * BODY * 1.35);
        layout.paragraph(&a.description, Face::Bold, BODY, MARGIN, full);
        let detail = format!(
            "{}: {} · {}: {} · {}: {}",
            w.who,
            a.owner,
            w.by,
            date(a.due_on, l),
            w.status,
            status_name(a.status, l)
        );
        layout.paragraph(&detail, Face::Regular, BODY - 1.0, MARGIN, full);
        layout.rule();
    }
    if !view.contacts.is_empty() {
        layout.heading(w.contacts);
        for c in &view.contacts {
            layout.paragraph(
                &format!("{}: {}", c.sector, c.name),
                Face::Regular,
                BODY,
                MARGIN,
                full,
            );
        }
    }
    finish(layout, &view.title(), w)
}

fn finish(layout: Layout, title: &str, w: &Words) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let count = layout.pages.len();
    let first = 6;
    let page_ref = |i: usize| Ref::new(first + 2 * i32::try_from(i).unwrap_or(0));
    let content_ref = |i: usize| Ref::new(first + 2 * i32::try_from(i).unwrap_or(0) + 1);
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..count).map(page_ref))
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("KIT"));
    for (i, mut content) in layout.pages.into_iter().enumerate() {
        let footer = encode(&format!("{} {} {} {count}", w.page, i + 1, w.of));
        content.begin_text();
        content.set_font(Face::Regular.name(), 8.0);
        content.next_line(
            PAGE_W - MARGIN - width(&footer, Face::Regular, 8.0),
            MARGIN / 2.0,
        );
        content.show(Str(&footer));
        content.end_text();
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref(i));
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Face::Regular.name(), regular);
        fonts.pair(Face::Bold.name(), bold);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_ref(i), &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> PlanView {
        PlanView {
            language: Language::Da,
            child_first_name: "Søs".into(),
            version: 2,
            meeting: "Netværksmøde".into(),
            written_on: NaiveDate::from_ymd_opt(2027, 3, 10).unwrap_or_default(),
            child_wishes: Some("At gå i skole hver dag & have en ven <3".into()),
            family_wishes: None,
            challenges: vec!["Søvn".into(), "Fravær i skolen".into()],
            resources: vec!["Håndbold om tirsdagen".into()],
            agreements: (0..40)
                .map(|i| AgreementLine {
                    description: format!(
                        "Aftale {i}: samtale med skolepsykologen om trivsel i klassen og \
                         frikvartererne, med opfølgning hos sundhedsplejersken"
                    ),
                    owner: "Jens Ærø, PPR".into(),
                    due_on: NaiveDate::from_ymd_opt(2027, 4, 1).unwrap_or_default(),
                    status: if i == 0 {
                        AgreementStatus::Done
                    } else {
                        AgreementStatus::Open
                    },
                })
                .collect(),
            contacts: vec![ContactLine {
                sector: "kommunen".into(),
                name: "Mette Holm, Familieafdelingen".into(),
            }],
        }
    }

    #[test]
    fn the_html_escapes_every_text() {
        let html = html_body(&view(), "/plan/t/pdf");
        assert!(html.contains("&amp; have en ven &lt;3"));
        assert!(!html.contains("<3"));
        assert!(html.contains("<li>Søvn</li>"));
        assert!(html.contains("Udført"));
        assert!(
            html.contains("Intet skrevet."),
            "the missing family wishes say so"
        );
    }

    #[test]
    fn the_pdf_breaks_lines_and_pages_and_keeps_danish_letters() {
        let bytes = pdf(&view());
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "40 agreements fill pages"
        );
        assert!(
            bytes.len() < 64 * 1024,
            "no embedded font: {} bytes",
            bytes.len()
        );
        let text = pdf_extract::extract_text_from_mem(&bytes).unwrap_or_default();
        assert!(text.contains("Fælles plan for Søs"), "{text}");
        assert!(text.contains("Jens Ærø, PPR"));
        assert!(text.contains("Side 1 af"));
        assert!(text.contains("Aftale 39"), "the last agreement is there");
    }

    #[test]
    fn wrapping_respects_the_width_and_cuts_only_overlong_words() {
        let lines = wrap(
            "aaa bbb ccc",
            Face::Regular,
            10.0,
            width(b"aaa bbb", Face::Regular, 10.0),
        );
        assert_eq!(lines, vec![b"aaa bbb".to_vec(), b"ccc".to_vec()]);
        let long = wrap(
            "mmmmmmmmmm",
            Face::Regular,
            10.0,
            width(b"mmm", Face::Regular, 10.0),
        );
        assert_eq!(long.len(), 4);
        assert!(
            long.iter()
                .all(|l| width(l, Face::Regular, 10.0) <= width(b"mmm", Face::Regular, 10.0))
        );
        assert_eq!(
            encode("æøåÆØÅ–"),
            vec![0xE6, 0xF8, 0xE5, 0xC6, 0xD8, 0xC5, 0x96]
        );
        assert_eq!(encode("☃"), b"?".to_vec());
    }
}
