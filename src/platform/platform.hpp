// gpsi platform: the member sharing platform's rules — organisations, accounts and roles, API
// tokens, passwords, and the append-only hash-chained audit log (docs/platform.md). The store keeps
// the rows; every rule about them lives here, and every change runs in one store transaction
// together with its audit entry.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"
#include "model.hpp"
#include "store.hpp"

namespace gpsi::platform {

//! What an account may do. A role is a fixed set of permissions (Allows); a token's scopes narrow
//! its owner's set.
enum class Permission { kRead, kSubmit, kApprove, kReview, kPublish, kAdmin };
//! Permission names, in the order of Permission: the words of token scopes.
inline constexpr std::array<std::string_view, 6> kPermissionNames{"read",   "submit",  "approve",
                                                                  "review", "publish", "admin"};
std::string_view ToString(Permission p);
std::optional<Permission> ParsePermission(std::string_view s);

//! The role × permission table. Duties are separated: an admin manages accounts but not data, a
//! member's submitter cannot approve, the secretariat reviews and publishes but submits nothing.
bool Allows(Role role, Permission p);
//! The names of the permissions `role` holds, in the order of kPermissionNames.
std::vector<std::string> Permissions(Role role);
//! Whether accounts of `role` may belong to an organisation of `kind` (admin and secretariat to
//! the secretariat, submitter to members and enterprises, approver to members that share data,
//! reader to any).
bool RoleFits(Role role, OrgKind kind);
//! The tier a member's published data carries by default: 2 for a government agency, 3 for a
//! think tank, 0 (reports none) for the secretariat and an enterprise.
int DefaultTier(OrgKind kind);

//! Free text the platform stores (names, labels, notes, reasons): UTF-8 of at most `max` bytes,
//! else a usage error naming `what`.
Status CheckText(std::string_view what, std::string_view text, std::size_t max = 500);

// ---- Passwords (argon2id) and tokens ----

//! Shortest and longest password accepted (OWASP ASVS 5.0 6.2.1 and 6.2.9).
inline constexpr std::size_t kMinPassword = 12, kMaxPassword = 128;
//! The argon2id hash string of `password` (libsodium crypto_pwhash_str, its interactive limits:
//! 2 passes over 64 MiB), or a usage error when the password is too short or too long.
Result<std::string> HashPassword(std::string_view password);
//! Whether `password` matches the argon2id hash string `hash` (constant time in libsodium).
bool VerifyPassword(const std::string& hash, std::string_view password);

//! Days a token lives when none is asked for, and at most.
inline constexpr int kDefaultTokenDays = 90, kMaxTokenDays = 366;
//! A new secret: `prefix` and 43 base64url characters of 32 random bytes (256 bits) from
//! libsodium's CSPRNG.
std::string NewSecret(std::string_view prefix);
//! A new token secret: NewSecret("gpsi_").
std::string NewTokenSecret();
//! Whether two secrets are equal, compared in time that depends on their length only
//! (sodium_memcmp), so a guess learns nothing from how long it took to be refused.
bool SameSecret(std::string_view a, std::string_view b);
//! The SHA-256 under which a token is stored. A fast hash suffices: the secret has 256 random bits,
//! so no guessing attack on a stolen hash is feasible (unlike a password).
std::string TokenDigest(std::string_view secret);

//! Who a request acts as: the account, its organisation and what it may do.
struct Principal {
  Account account;
  Organisation org;
  std::vector<Permission> permissions;  //!< the role's, narrowed by the token's scopes
  std::string expires;                  //!< when the token or session it holds ends (UTC)
  bool Can(Permission p) const;
};
//! The principal of an API token, or of a session (a secret starting kSessionPrefix: its
//! account's whole role, and the use extends it: kSessionIdleMinutes), at time `now` (UTC, ISO
//! 8601), the store then acting for it (MemberScope): kUnauthorized when the token or session is
//! unknown, revoked or expired, or its account or organisation is disabled. The message never says
//! which, so a caller learns nothing about secrets it does not hold.
Result<Principal> Authenticate(Store& store, std::string_view secret, const std::string& now);

// ---- Dashboard sessions (docs/security.md, "Sessions") ----

//! How long a session lives, at most (OWASP ASVS 5.0 7.3.2: an absolute lifetime).
inline constexpr int kSessionHours = 8;
//! How long a session lives unused (ASVS 7.3.1: an inactivity timeout): a login opens it this
//! long, and each use moves its end to this long after, never past kSessionHours after the login.
inline constexpr int kSessionIdleMinutes = 30;
//! Wrong passwords in a row that lock an account, and for how long (ASVS 6.3.1).
inline constexpr int kMaxFailedLogins = 5, kLockoutMinutes = 15;
//! Session secrets start with this ("gpsis_" and 43 base64url characters); token secrets "gpsi_".
inline constexpr std::string_view kSessionPrefix = "gpsis_";

//! The end of `session`, in use at `now`: min(now + kSessionIdleMinutes, its login +
//! kSessionHours), stored when that moves it by a minute or more (Authenticate calls it).
std::string KeepAlive(Store& store, const SessionRecord& session, const std::string& now);

//! The CSRF token of a session: SHA-256 (hex) of "gpsi-csrf:" and its secret. Only the holder of
//! the secret can compute it, so nothing more is stored; a page of the dashboard reads it from the
//! login (or GET /api/v1/session) answer and echoes it in X-CSRF-Token on every unsafe request.
std::string CsrfToken(std::string_view session_secret);

//! Logs `login` in with `password` at `now` from `origin`, and opens a session of
//! kSessionIdleMinutes, which use extends up to kSessionHours (Authenticate).
//! Refused (kUnauthorized, one message whatever the cause, and the same work: a password is
//! always verified) when the account is unknown, disabled, without a password, in a disabled
//! organisation or locked, or the password is wrong; the kMaxFailedLogins-th wrong password in a
//! row locks the account for kLockoutMinutes. Every attempt is audited: session.create, or
//! session.refused with its reason (and the lock).
Result<IssuedSession> Login(Store& store, const std::string& origin, const std::string& login,
                            std::string_view password, std::time_t now);
//! Ends the session whose secret is `secret` (logout), audited; an unknown or ended one is
//! kUnauthorized.
Status Logout(Store& store, const std::string& origin, std::string_view secret, std::time_t now);

// ---- Changes (each one transaction with its audit entry) ----

//! Adds an organisation: key of 2–32 of a–z, 0–9 and '-', new; an English name; countries known
//! to the store; agreements naming a data set and at least one indicator; tier -1 takes DefaultTier.
Result<Organisation> AddOrg(Store& store, const Actor& actor, Organisation org);
//! A change to a stored record, applied inside the transaction to what is stored then.
template <class T>
using Edit = std::function<Status(T&)>;
//! Changes the organisation `key` by `edit` (its key and id stay), under the rules of AddOrg.
Result<Organisation> ChangeOrg(Store& store, const Actor& actor, const std::string& key,
                               const Edit<Organisation>& edit);
//! Adds an account (login of 2–64 of a–z, 0–9 and '-', new) whose role fits its organisation's
//! kind (RoleFits); `password`, when given, is stored as its argon2id hash.
Result<Account> AddAccount(Store& store, const Actor& actor, Account account,
                           const std::optional<std::string>& password);
//! Changes the account `login` by `edit` (its login and organisation stay), and its password when
//! one is given.
Result<Account> ChangeAccount(Store& store, const Actor& actor, const std::string& login, const Edit<Account>& edit,
                              const std::optional<std::string>& password);
//! Issues a token to `login` with `scopes` (empty: all its role's permissions; each must be one
//! of them) living `days` days (1 to kMaxTokenDays).
Result<IssuedToken> IssueToken(Store& store, const Actor& actor, const std::string& login,
                               std::vector<std::string> scopes, int days, const std::string& label);
//! Revokes the token whose last 8 characters are `suffix`; an unknown or ambiguous suffix is an
//! error that changes nothing.
Result<TokenRecord> RevokeToken(Store& store, const Actor& actor, const std::string& suffix);

// ---- Submissions (docs/platform.md, "Submissions") ----

//! What can be done to a submission; each moves it along the review states.
enum class SubmissionAction { kSubmit, kApprove, kAccept, kPublish, kReturn, kRevise };
std::string_view ToString(SubmissionAction a);
std::optional<SubmissionAction> ParseSubmissionAction(std::string_view s);

//! Whether `who` may see `s`: its own organisation's, everything for the secretariat and admins,
//! and any published one. A submission one may not see is "not found", never "forbidden", so its
//! id says nothing.
bool CanSee(const Principal& who, const Submission& s);
//! The member whose unpublished data `who` acts for (Store::SetMember): "*" for the secretariat's
//! people, else their organisation's id. The database's own copy of CanSee on PostgreSQL.
std::string MemberScope(const Principal& who);
//! The submissions `who` may see, newest first.
std::vector<Submission> VisibleSubmissions(Store& store, const Principal& who);
//! The submission `id` if `who` may see it, else kNotFound.
Result<Submission> FindVisible(Store& store, const Principal& who, std::int64_t id);

//! Checks, before a file is read, that `who` may upload data set `dataset`: submit permission, a
//! provision agreement of its organisation for it, and a note that is text (CheckText).
Status CheckUpload(const Principal& who, const std::string& dataset, const std::string& note);
//! The release of an upload made now: UTC time to the microsecond ("2026-12-05T18:33:01.123456Z"),
//! so that a member's uploads within one second are distinct releases, ordered as text; strictly
//! increasing within one process, so that concurrent uploads never share one.
std::string UploadRelease();
//! The source release a member's upload is ingested into: key "<org>.<dataset>", the
//! organisation's tier and name, release `release` (UploadRelease: the newest wins).
Source UploadSource(const Principal& who, const std::string& dataset, const std::string& release);
//! Records an uploaded file as a draft submission, inside the ingest's transaction (its
//! before_commit): every row must be for one of the organisation's countries and an indicator of
//! the data set, else the upload fails (Failure) at the first such row with its line; the rows'
//! source release is hidden from every read of the index until published.
Submission RecordUpload(Store& store, const Actor& actor, const Principal& who, const std::string& dataset,
                        const std::string& note, const FileRecord& file, const FileReport& report);

//! One step of the review: the action, and what it needs (a reason to return; an embargo time,
//! UTC ISO 8601, to publish later than now).
struct Step {
  SubmissionAction action = SubmissionAction::kSubmit;
  std::string reason, embargo;
};
//! Takes `step` on submission `id` as `who`, with its audit entry, under the rules of the review:
//!   submit   draft → submitted, by a submitter of its organisation; validation follows at once
//!            (validated, with its flags (FlagValues), or returned with the reason when rows were
//!            quarantined);
//!   approve  validated → approved, by an approver of its organisation who did not submit it,
//!            once every validation flag has a comment (CommentFlag);
//!   accept   approved → accepted, by the secretariat;
//!   publish  accepted → published, by the secretariat: its rows are read from `embargo` on (or now);
//!   return   submitted/validated → returned by its organisation's submitter or approver,
//!            approved/accepted → returned by the secretariat; a reason is required;
//!   revise   returned → draft, by a submitter of its organisation.
//! Anything else is kForbidden (not permitted) or kConflict (not from this state).
Result<Submission> Act(Store& store, const Actor& actor, const Principal& who, std::int64_t id, const Step& step);
//! The steps `who` may take on `s` now, in SubmissionAction order: those Act's rules permit to
//! `who` from `s`'s state (flags still to comment may yet refuse an approval). The API lists them,
//! so that no front end writes the rules again.
std::vector<SubmissionAction> Actions(const Principal& who, const Submission& s);
//! Whether it is `who`'s turn on `s` (the dashboard's queue): a step other than return is open
//! to it.
bool Awaits(const Principal& who, const Submission& s);
//! Whether `who` may comment `s`'s validation flags now: a submitter or approver of its
//! organisation (kForbidden otherwise) while it is validated (kConflict otherwise).
Status MayComment(const Principal& who, const Submission& s);

// ---- Validation flags (docs/platform.md, "Validation flags") ----

//! The thresholds of the validation checks. Like DHIS2's outlier detection, a z-score of 3 flags;
//! a history shorter than `min_history` values, or with no spread, flags nothing.
struct FlagRules {
  double z = 3.0;               //!< |z| at or above which a value, or a change, is flagged
  std::size_t min_history = 5;  //!< values (or changes) the mean and SD are taken over, at least
  double un_difference = 0.10;  //!< relative difference from the UN-tier value flagged above
};

//! A stored value as the checks read it: its cell, value and source tier.
struct TieredValue {
  std::string unit, indicator;
  int year = 0;
  double value = 0;
  int tier = 4;
};

//! The flags of a submission's `rows`, given `stored`: the index's visible observations of the
//! same units and indicators in priority order (Store::Observations; the submission's own release
//! is hidden then). Per row (unit u, indicator i, year y, value v):
//!   outlier       z = (v − mean) / sd over the country's history: the index's resolved values of
//!                 (u, i) in the other years, the submission's own values replacing them where it
//!                 has that year; flagged when |z| ≥ rules.z;
//!   un-difference r = |v − un| / |un| with un the tier-1 value of (u, i, y); flagged when
//!                 r > rules.un_difference (any v ≠ 0 when un = 0);
//!   series-break  in that same series, the change v − x(y−1) against the other year-on-year
//!                 changes, z as above; flagged when |z| ≥ rules.z.
//! Sample SD (n − 1). Flags come by unit, indicator, year and kind.
std::vector<SubmissionFlag> FlagValues(const std::vector<ObservationRow>& rows, const std::vector<TieredValue>& stored,
                                       const FlagRules& rules = {});

//! Per row of `rows` (a submission's, whose own source release is `own`: "KEY@RELEASE"), what the
//! index holds for its cell besides: the visible value it uses now (the first in priority order
//! of another release) and the UN-tier value (Store::Observations).
std::vector<CellReference> ReferenceValues(Store& store, const std::vector<ObservationRow>& rows);

//! Comments flag `flag` of submission `id` (a validated one) as `who`, a submitter or approver of
//! its organisation, with an audit entry; `text` is required (CheckText). The comment stays with
//! the flag when the submission is validated again.
Result<SubmissionFlag> CommentFlag(Store& store, const Actor& actor, const Principal& who, std::int64_t id,
                                   std::int64_t flag, const std::string& text);

// ---- The excellent-practice evaluation (docs/evaluation.md, "Who may do what") ----
// The scoring itself (rules, conflicts, assignment, results) is src/evaluation's; these are the
// rules of who may see and change a campaign's rows, each change audited in its transaction.

//! Whether `who` runs evaluation campaigns: the secretariat (the review permission). An admin
//! manages accounts, not campaigns.
bool RunsCampaigns(const Principal& who);

//! A campaign as `who` stands to it: its secretariat, one of its judges, or an applicant (their
//! organisation's key is an application's organisation).
struct CampaignSeat {
  Campaign campaign;
  bool secretariat = false;
  std::optional<CampaignJudge> judge;  //!< who's judge record, when a judge of it
  std::vector<std::string> assigned;   //!< the applications assigned to that judge
  std::vector<std::string> own;        //!< codes of the applications of who's organisation
  //! The applications that judge is in conflict with (the evaluation's Conflicts, which the caller
  //! fills in): never shown to them, not even in set-up.
  std::vector<std::string> barred;
};
//! The campaign `key` as `who` stands to it; kNotFound when `who` may not see it: it is seen by
//! the secretariat, its judges and applicants, and by everyone once published.
Result<CampaignSeat> SeatIn(Store& store, const Principal& who, const std::string& key);
//! The campaigns `who` may see (SeatIn), by key.
std::vector<CampaignSeat> VisibleCampaigns(Store& store, const Principal& who);
//! The applications `seat` may see: every one for the secretariat, and for a judge in set-up (to
//! declare their conflicts) all but the barred ones; then a judge's assigned ones (never one they are in conflict with:
//! an assignment holds none); an applicant's own; and once published, those the results select.
std::vector<CampaignApplication> VisibleApplications(Store& store, const CampaignSeat& seat,
                                                     const std::vector<std::string>& selected = {});
//! Whether `seat` may see the result of application `code`: the secretariat any from the panel
//! stage on, a judge their assigned ones from the panel stage on; once published, an applicant its
//! own and everyone the selected ones.
bool MaySeeResult(const CampaignSeat& seat, const std::string& code, bool selected);
//! The sheets `seat` may see, every revision: the secretariat all; a judge their own, and from the
//! panel stage on every sheet of the applications assigned to them; nobody else any (an applicant
//! sees its results, never who scored what).
std::vector<CampaignSheet> VisibleSheets(Store& store, const CampaignSeat& seat);
//! The newest revision of each (application, judge) sheet of `sheets` (as Store::Sheets orders them).
std::vector<CampaignSheet> CurrentSheets(const std::vector<CampaignSheet>& sheets);

//! SHA-256 (hex) of a sheet's seal: the JSON array [campaign key, rules hash, application, judge,
//! revision, scores, comment, reason, sealed_at]; `sha256` is not read.
std::string SheetHash(const Campaign& c, const CampaignSheet& s);

//! Adds a campaign in set-up from its rules file's text `rules` (checked by the evaluation
//! before); the key as an organisation's (2–32 of a–z, 0–9, '-'), new.
Result<Campaign> AddCampaign(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                             const std::string& rules);
//! Replaces the rules of campaign `key` while it is in set-up.
Result<Campaign> SetCampaignRules(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                                  const std::string& rules);
//! Replaces the applications (when `apps` is given) and the judges (when `judges` is) of campaign
//! `key` while in set-up, dropping its assignment: application codes of 1–32 letters, digits, '_'
//! and '-', distinct; countries ISO3 or empty; judges accounts that exist, are enabled and hold
//! neither the secretariat's nor an admin's permissions (those see every sheet); text checked.
Status SetCampaignEntries(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                          const std::vector<CampaignApplication>* apps, const std::vector<CampaignJudge>* judges);
//! Replaces the conflicts of interest `who` declares, as a judge of campaign `key` in set-up, with
//! `codes` (its applications; empty: none). An assignment that pairs `who` with one of them is
//! dropped, for the secretariat to assign again; the audit entry says so.
Status DeclareConflicts(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                        const std::vector<std::string>& codes);
//! Stores the assignment `pairs` (application code, judge login) of campaign `key` in set-up; each
//! pair names one of its applications and judges.
Status SetAssignment(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& pairs);
//! Opens scoring (set-up → scoring) with the rules' fingerprint `rules_sha256` (the evaluation's
//! RulesHash of the stored rules), which the audit entry records: from now on the rules are fixed.
//! Needs applications and an assignment naming every one of them.
Result<Campaign> OpenScoring(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                             const std::string& rules_sha256);
//! Seals `who`'s sheet of `application` (scores checked by the evaluation before): only a judge
//! assigned to it, while scoring or at the panel stage. Revision 1 first; a later revision needs a
//! reason (CheckText) and is audited as a revision with the hash it replaces.
Result<CampaignSheet> SealSheet(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                                const std::string& application, const std::vector<double>& scores,
                                const std::string& comment, const std::string& reason);
//! Closes scoring (scoring → panel) once every assigned pair has a sheet, storing `results`.
Result<Campaign> CloseScoring(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                              const std::string& results);
//! Stores refreshed `results` of campaign `key` at the panel stage (after a revision), audited
//! under the system with their hash.
Status StoreResults(Store& store, const std::string& key, const std::string& results);
//! Publishes the results (panel → published).
Result<Campaign> PublishCampaign(Store& store, const Actor& actor, const Principal& who, const std::string& key);

// ---- Project risk sheets (docs/risk.md, "Projects on the platform") ----
// The sheet itself is the engine's (AssessProject); these are the rules of who may keep and read
// one. An enterprise has its own projects assessed and reads only them; the secretariat, which
// offers the service, reads every one; nobody else reads any.

//! Whether `who` may have a project of enterprise `enterprise` assessed and kept: an account of
//! that enterprise (its key) with the submit permission. kForbidden otherwise, saying why.
Status MayAssessProject(const Principal& who, const std::string& enterprise);
//! Whether `who` may read the stored sheet `r`: its enterprise's accounts and the secretariat's.
bool CanSee(const Principal& who, const RiskProjectRecord& r);
//! Keeps a new sheet `r` (project, country, sheet filled in) for `who`'s enterprise: the next
//! revision of that project, its sha256, time and author set here, audited (risk-project.assess)
//! in the same transaction. Refused as MayAssessProject refuses.
Result<RiskProjectRecord> KeepRiskProject(Store& store, const Actor& actor, const Principal& who, RiskProjectRecord r);
//! The sheets `who` may see (CanSee), the newest revision of each project, newest first.
std::vector<RiskProjectRecord> VisibleRiskProjects(Store& store, const Principal& who);
//! The sheet `id` if `who` may see it, else kNotFound (never "forbidden", so an id says nothing).
Result<RiskProjectRecord> FindRiskProject(Store& store, const Principal& who, std::int64_t id);

// ---- The audit log ----

//! SHA-256 (hex) over the entry's fields, `prev_hash` included, as a JSON array
//! [seq, at, actor, org, origin, action, target, before, after, prev_hash]; `hash` is not read.
std::string AuditHash(const AuditEntry& e);
//! Hash that the first entry chains to.
inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";
//! Appends an entry for `action` on `target` inside the caller's transaction: seq, time,
//! prev_hash and hash are set here.
void AppendAudit(Store& store, const Actor& actor, std::string action, std::string target, std::string before,
                 std::string after);

//! Walks the whole log: seq must run 1, 2, 3…, each prev_hash must be the hash of the entry before
//! and each hash must recompute. An edited, deleted, inserted or reordered entry breaks one of the
//! three. `expect_head` ("SEQ:HASH", from an earlier check) also finds a log cut after that entry
//! or rewritten up to it; a malformed one is a usage error.
Result<AuditCheck> VerifyAudit(Store& store, const std::string& expect_head = "");

}  // namespace gpsi::platform
