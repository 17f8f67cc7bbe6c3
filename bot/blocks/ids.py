"""Every callback, block and action id, shared by builders and listeners: one place to look."""

REPORT_MODAL = "painpoint_report"
REPORT_TEXT = "text"
REPORT_FREQUENCY = "frequency"
REPORT_HOURS = "hours"
REPORT_CATEGORY = "category"
REPORT_TEAM = "team"
REPORT_KEEP_POSTED = "keep_posted"
VALUE = "value"

OPEN_REPORT = "painpoint_open_report"
FORGET_CONFIRM = "painpoint_forget_confirm"  # `/painpoint forget`: erase everything
ADD_DETAILS = "painpoint_add_details"
UNDO = "painpoint_undo"
LOG_SHORTCUT = "log_painpoint"

# Digests and theme details.
DIGEST_SHOW_MORE = "digest_show_more"
THEME_STATUS = "theme_status"
THEME_DETAILS = "theme_details"
SEND_SUGGESTED_LESSON = "send_suggested_lesson"
WONT_FIX_MODAL = "theme_wont_fix"
WONT_FIX_REASON = "reason"

# Nudges.
EVENT_TYPE = "painpoint_nudge"  # message metadata type carried by every nudge

# Callback, block and action ids.
SCHEDULE_MODAL = "nudge_schedule"
CONCERN_MODAL = "nudge_concern"
FEEDBACK_HELPFUL = "nudge_feedback_helpful"
FEEDBACK_NOT_FOR_ME = "nudge_feedback_not_for_me"
FEEDBACK_DONE = "nudge_feedback_done"
FEEDBACK_ACTIONS = (FEEDBACK_HELPFUL, FEEDBACK_NOT_FOR_ME, FEEDBACK_DONE)
QUIZ_ACTION_PREFIX = "nudge_quiz_"
OPEN_CONCERN = "nudge_concern_open"
PAUSE = "nudge_pause"
RESUME = "nudge_resume"
QUIZ_QUESTION_BLOCK = "nudge_quiz_question"
QUIZ_BLOCK = "nudge_quiz"
ACTIONS_BLOCK = "nudge_actions"
STATUS_BLOCK = "nudge_status"

# Schedule modal block ids.
B_CONTENT = "content"
B_USERS = "users"
B_CHANNELS = "channels"
B_GROUPS = "groups"
B_THEME = "theme"
B_WHEN = "when"
B_DATE = "date"
B_TIME = "time"
B_WEEKDAYS = "weekdays"
B_OPTIONS = "options"
B_QUIET_START = "quiet_start"
B_QUIET_END = "quiet_end"
OPTION_LOCAL_TIME = "local_time"
OPTION_SKIP_WEEKENDS = "skip_weekends"

# Concern modal block ids.
B_CONCERN_TEXT = "concern_text"
B_CONCERN_TOPIC = "concern_topic"
B_CONCERN_NAME = "concern_name"

# Follow-ups on receipts ("How often?", "Hours a week?"): one action id per answer.
FOLLOWUP_PREFIX = "painpoint_followup_"
FOLLOWUP_BLOCK = "painpoint_followup"

# Pilots.
PILOT_START = "pilot_start"
PILOT_VIEW = "pilot_view"
PILOT_CLOSE = "pilot_close"
PILOT_MODAL = "pilot_start_form"
PILOT_CLOSE_MODAL = "pilot_close_form"
PILOT_EDIT = "pilot_edit"
PILOT_EDIT_MODAL = "pilot_edit_form"
B_PILOT_KPI = "pilot_kpi"  # + the KPI's position: baseline and target blocks of the edit form
PULSE_PREFIX = "pilot_pulse_"  # one action id per answer
PULSE_BLOCK = "pilot_pulse"
B_PILOT_OBJECTIVE = "pilot_objective"
B_PILOT_OWNER = "pilot_owner"
B_PILOT_KPIS = "pilot_kpis"
B_PILOT_REPORTS = "pilot_reports"  # baseline and target: one block each
B_PILOT_HOURS = "pilot_hours"
B_PILOT_CUSTOM = "pilot_custom"
B_PILOT_DATES = "pilot_dates"
B_PILOT_START = "pilot_start_date"
B_PILOT_END = "pilot_end_date"
B_PILOT_PEOPLE = "pilot_people"
B_PILOT_GROUPS = "pilot_groups"
B_PILOT_REPORTERS = "pilot_include_reporters"
B_PILOT_PULSE = "pilot_pulse_schedule"
B_PILOT_VERDICT = "pilot_verdict"
B_PILOT_NOTE = "pilot_note"

# Managers' theme corrections (in the theme details modal).
THEME_RENAME = "theme_rename"
THEME_MERGE = "theme_merge"
THEME_SPLIT = "theme_split"
THEME_LENS = "theme_lens"
THEME_MOVE = "theme_move"
THEME_RENAME_MODAL = "theme_rename_modal"
THEME_RENAME_TITLE = "title"
