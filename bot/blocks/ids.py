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
