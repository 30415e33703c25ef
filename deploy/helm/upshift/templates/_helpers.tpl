{{/* "upshift" for a release called upshift (the names kustomize uses), else "<release>-upshift". */}}
{{- define "upshift.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "upshift.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* On every object. */}}
{{- define "upshift.labels" -}}
app.kubernetes.io/name: {{ include "upshift.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: upshift
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector of one component's pods: name and instance, so two releases never select each other's. */}}
{{- define "upshift.selectorLabels" -}}
app.kubernetes.io/name: {{ include "upshift.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "upshift.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "upshift.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "upshift.secretName" -}}
{{- default (printf "%s-secrets" (include "upshift.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "upshift.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The ServiceAccount as an RBAC subject. */}}
{{- define "upshift.subject" -}}
- kind: ServiceAccount
  name: {{ include "upshift.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/*
A bot or worker Deployment; the two differ only in the values passed (and the kustomize base has
the same two files side by side). Probes, security context and volumes are fixed on purpose: they
are what keeps a slow start from being killed (INCIDENTS case 1) and the pod "restricted".
*/}}
{{- define "upshift.deployment" -}}
{{- $root := .root -}}
{{- $c := .component -}}
{{- $v := index $root.Values $c -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "upshift.fullname" $root }}-{{ $c }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "upshift.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $c }}
spec:
  replicas: {{ $v.replicas }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "upshift.selectorLabels" (dict "root" $root "component" $c) | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      {{- if eq $c "bot" }}
      # Never below the current count during a rollout: Slack expects an ack within 3 s.
      maxUnavailable: 0
      maxSurge: 1
      {{- else }}
      # Jobs wait in Redis while a worker restarts, so one replica at a time may go.
      maxUnavailable: 1
      maxSurge: 0
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "upshift.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $c }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # A changed upshift.yaml rolls the pods (kustomize does it with the ConfigMap's hash suffix).
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "upshift.serviceAccountName" $root }}
      {{- if eq $c "bot" }}
      # Longer than the longest shutdown step (closing gateways, Redis): see src/http/shutdown.ts.
      terminationGracePeriodSeconds: 30
      {{- else }}
      # worker.close() lets the running job finish before exit: a preflight on a big cluster takes a minute or two.
      terminationGracePeriodSeconds: 120
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      # Spread so one node drain does not stop every replica.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "upshift.selectorLabels" (dict "root" $root "component" $c) | nindent 14 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $c }}
          image: {{ include "upshift.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["node", "bin/upshift.js"]
          args: [{{ $c | quote }}]
          ports:
            - name: http
              containerPort: 3000
          env:
            - name: UPSHIFT_CONFIG
              value: /etc/upshift/upshift.yaml
            - name: PORT
              value: "3000"
            - name: LOG_LEVEL
              value: {{ $root.Values.logLevel | quote }}
            {{- if eq $c "worker" }}
            - name: WORKER_CONCURRENCY
              value: {{ $v.concurrency | quote }}
            {{- end }}
            {{- if $root.Values.redis.enabled }}
            # Wins over a REDIS_URL in the Secret (env beats envFrom).
            - name: REDIS_URL
              value: {{ printf "redis://%s-redis:6379" (include "upshift.fullname" $root) | quote }}
            {{- end }}
            {{- with $root.Values.rbac.helmReleaseNamespaces }}
            # The namespaces whose Secrets Upshift may read (rbac.helmReleaseNamespaces).
            - name: UPSHIFT_HELM_NAMESPACES
              value: {{ join "," . | quote }}
            {{- end }}
            {{- if $root.Values.kubeconfigSecret }}
            - name: KUBECONFIG
              value: /etc/upshift-kubeconfig/config
            {{- end }}
            {{- range $name, $value := $v.env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          # Tokens (SLACK_*, DISCORD_*, ADMIN_TOKEN) and REDIS_URL.
          envFrom:
            - secretRef:
                name: {{ include "upshift.secretName" $root }}
          # The startup probe gates the other two: liveness cannot restart a pod that is still
          # starting (up to 30 x 2 s = 60 s, whatever Redis or the network are doing). /healthz
          # depends on nothing outside the process, so a slow dependency only fails /readyz.
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
            failureThreshold: 30
            timeoutSeconds: 2
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            failureThreshold: 3
            timeoutSeconds: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
            failureThreshold: 2
            timeoutSeconds: 4
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            runAsGroup: 10001
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: config
              mountPath: /etc/upshift
              readOnly: true
            {{- if $root.Values.kubeconfigSecret }}
            - name: kubeconfig
              mountPath: /etc/upshift-kubeconfig
              readOnly: true
            {{- end }}
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {{ include "upshift.fullname" $root }}-config
        {{- if $root.Values.kubeconfigSecret }}
        - name: kubeconfig
          secret:
            secretName: {{ $root.Values.kubeconfigSecret }}
        {{- end }}
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end -}}
